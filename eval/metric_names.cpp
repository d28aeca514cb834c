#include "eval/metric_names.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "core/text.h"
#include "eval/list_metric.h"
#include "eval/metric.h"

namespace shiftrec {

std::vector<std::string> known_metric_names() {
  std::vector<std::string> names = metric_registry().names();
  for (const auto& name : list_metric_registry().names()) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

MetricKind metric_kind(const std::string& name_at_k) {
  const std::string name = name_at_k.substr(0, name_at_k.find('@'));
  if (metric_registry().contains(name)) return MetricKind::kRank;
  if (list_metric_registry().contains(name)) return MetricKind::kList;
  const std::vector<std::string> known = known_metric_names();
  std::string message = "unknown metric \"" + name + "\"";
  const std::string nearest = nearest_name(name, known);
  if (!nearest.empty()) message += " (did you mean \"" + nearest + "\"?)";
  throw UserError(message + "; known: " + join(known));
}

int64_t metric_cutoff(const std::string& name_at_k) {
  const size_t at = name_at_k.find('@');
  const std::string name = name_at_k.substr(0, at);
  const std::string k_text = at == std::string::npos ? "" : name_at_k.substr(at + 1);
  int64_t k = 0;
  auto [end, ec] = std::from_chars(k_text.data(), k_text.data() + k_text.size(), k);
  if (k_text.empty() || ec != std::errc() || end != k_text.data() + k_text.size() || k <= 0) {
    throw UserError("metric \"" + name_at_k + "\" needs a positive cut-off, e.g. \"" + name +
                    "@10\"");
  }
  return k;
}

}  // namespace shiftrec
