#include "eval/list_metric.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "core/error.h"
#include "eval/metric_names.h"

namespace shiftrec {

ListMetricRegistry& list_metric_registry() { return ListMetricRegistry::instance("list metric"); }

bool is_list_metric(const std::string& name_at_k) {
  return list_metric_registry().contains(name_at_k.substr(0, name_at_k.find('@')));
}

std::unique_ptr<ListMetric> make_list_metric(const std::string& name_at_k) {
  if (metric_kind(name_at_k) != MetricKind::kList) {
    throw UserError("\"" + name_at_k + "\" is a per-target rank metric, not a list metric");
  }
  return list_metric_registry().get(name_at_k.substr(0, name_at_k.find('@')))(
      metric_cutoff(name_at_k));
}

namespace {

// Calls f(item) for the first k items of every list.
template <typename F>
void for_each_top(const std::vector<int32_t>& lists, int64_t width, int64_t k, F f) {
  const int64_t n_lists = width > 0 ? static_cast<int64_t>(lists.size()) / width : 0;
  const int64_t used = std::min(k, width);
  for (int64_t l = 0; l < n_lists; ++l) {
    for (int64_t j = 0; j < used; ++j) f(l, lists[l * width + j]);
  }
}

class Coverage : public ListMetric {
 public:
  using ListMetric::ListMetric;
  double value(const std::vector<int32_t>& lists, int64_t width,
               const std::vector<int64_t>& counts) const override {
    std::unordered_set<int32_t> seen;
    for_each_top(lists, width, k(), [&](int64_t, int32_t item) { seen.insert(item); });
    return static_cast<double>(seen.size()) / static_cast<double>(counts.size());
  }
};

class Gini : public ListMetric {
 public:
  using ListMetric::ListMetric;
  double value(const std::vector<int32_t>& lists, int64_t width,
               const std::vector<int64_t>& counts) const override {
    std::vector<double> shown(counts.size(), 0.0);
    for_each_top(lists, width, k(), [&](int64_t, int32_t item) { shown[item] += 1.0; });
    std::sort(shown.begin(), shown.end());
    const double n = static_cast<double>(shown.size());
    double total = 0.0, weighted = 0.0;
    for (size_t i = 0; i < shown.size(); ++i) {
      total += shown[i];
      weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * shown[i];
    }
    return total > 0.0 ? weighted / (n * total) : 0.0;
  }
};

class Novelty : public ListMetric {
 public:
  using ListMetric::ListMetric;
  double value(const std::vector<int32_t>& lists, int64_t width,
               const std::vector<int64_t>& counts) const override {
    double total = 0.0;
    for (int64_t c : counts) total += static_cast<double>(c);
    const double denominator = total + static_cast<double>(counts.size());
    return mean_per_list(lists, width, [&](int32_t item) {
      return -std::log2((static_cast<double>(counts[item]) + 1.0) / denominator);
    });
  }

  template <typename G>
  double mean_per_list(const std::vector<int32_t>& lists, int64_t width, G g) const {
    const int64_t n_lists = width > 0 ? static_cast<int64_t>(lists.size()) / width : 0;
    if (n_lists == 0) return 0.0;
    double sum = 0.0;
    for_each_top(lists, width, k(), [&](int64_t, int32_t item) { sum += g(item); });
    return sum / static_cast<double>(n_lists * std::min(k(), width));
  }
};

class AveragePopularity : public Novelty {
 public:
  using Novelty::Novelty;
  double value(const std::vector<int32_t>& lists, int64_t width,
               const std::vector<int64_t>& counts) const override {
    return mean_per_list(lists, width,
                         [&](int32_t item) { return static_cast<double>(counts[item]); });
  }
};

template <typename M>
ListMetricFactory list_factory_of() {
  return [](int64_t k) -> std::unique_ptr<ListMetric> { return std::make_unique<M>(k); };
}

}  // namespace

SHIFTREC_REGISTER(list_metric_registry, "coverage", "distinct items in all top-k lists / n_items",
                  list_factory_of<Coverage>());
SHIFTREC_REGISTER(list_metric_registry, "gini", "Gini coefficient of item exposure in top-k lists",
                  list_factory_of<Gini>());
SHIFTREC_REGISTER(list_metric_registry, "novelty", "mean -log2 training popularity share in top-k",
                  list_factory_of<Novelty>());
SHIFTREC_REGISTER(list_metric_registry, "avgpop", "mean training count of top-k items",
                  list_factory_of<AveragePopularity>());

}  // namespace shiftrec
