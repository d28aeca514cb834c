#include "eval/label_breakdown.h"

#include "core/error.h"
#include "eval/metric.h"

namespace shiftrec {

namespace {

// The targets of one label, still grouped by query.
struct LabelGroup {
  std::vector<int64_t> ranks;
  std::vector<int64_t> query_offsets{0};
};

}  // namespace

const std::vector<std::string>& breakdown_label_names() {
  static const std::vector<std::string> names = {"REPEAT-ITEM", "IN-WINDOW", "SHIFT",
                                                 "REVISIT",     "NOVEL",     "UNLABELLED"};
  return names;
}

std::map<std::string, LabelSummary> metrics_by_label(const std::vector<std::string>& metric_names,
                                                     const std::vector<int64_t>& ranks,
                                                     const std::vector<ShiftLabel>& labels,
                                                     const std::vector<int64_t>& query_offsets) {
  SHIFTREC_ASSERT(ranks.size() == labels.size(), "one label per ranked target");
  std::vector<int64_t> queries = query_offsets;
  if (queries.empty()) {
    for (size_t t = 0; t <= ranks.size(); ++t) queries.push_back(static_cast<int64_t>(t));
  }
  std::map<std::string, LabelGroup> groups;
  for (const std::string& name : breakdown_label_names()) groups[name];
  for (size_t q = 0; q + 1 < queries.size(); ++q) {
    for (int64_t t = queries[q]; t < queries[q + 1]; ++t) {
      groups[shift_label_name(labels[t])].ranks.push_back(ranks[t]);
      if (is_shift(labels[t])) groups["SHIFT"].ranks.push_back(ranks[t]);
    }
    for (auto& [name, group] : groups) {  // close this query in every label that got targets
      const int64_t size = static_cast<int64_t>(group.ranks.size());
      if (size > group.query_offsets.back()) group.query_offsets.push_back(size);
    }
  }
  std::map<std::string, LabelSummary> out;
  for (const auto& [name, group] : groups) {
    LabelSummary& summary = out[name];
    summary.count = static_cast<int64_t>(group.ranks.size());
    summary.share = ranks.empty()
                        ? 0.0
                        : static_cast<double>(summary.count) / static_cast<double>(ranks.size());
    if (summary.count > 0)
      summary.metrics = mean_metrics(metric_names, group.ranks, group.query_offsets);
  }
  return out;
}

}  // namespace shiftrec
