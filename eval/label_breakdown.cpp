#include "eval/label_breakdown.h"

#include "core/error.h"
#include "eval/metric.h"

namespace shiftrec {

std::map<std::string, LabelSummary> metrics_by_label(const std::vector<std::string>& metric_names,
                                                     const std::vector<int64_t>& ranks,
                                                     const std::vector<ShiftLabel>& labels) {
  SHIFTREC_ASSERT(ranks.size() == labels.size(), "one label per ranked target");
  std::map<std::string, std::vector<int64_t>> groups;
  for (const char* name : {"REPEAT-ITEM", "IN-WINDOW", "SHIFT", "REVISIT", "NOVEL", "UNLABELLED"}) {
    groups[name];
  }
  for (size_t t = 0; t < ranks.size(); ++t) {
    groups[shift_label_name(labels[t])].push_back(ranks[t]);
    if (is_shift(labels[t])) groups["SHIFT"].push_back(ranks[t]);
  }
  std::map<std::string, LabelSummary> out;
  for (const auto& [name, group] : groups) {
    LabelSummary& summary = out[name];
    summary.count = static_cast<int64_t>(group.size());
    summary.share = ranks.empty() ? 0.0 : static_cast<double>(group.size()) / static_cast<double>(ranks.size());
    if (!group.empty()) summary.metrics = mean_metrics(metric_names, group);
  }
  return out;
}

}  // namespace shiftrec
