// Metrics of the top-k lists as a whole (REFERENCE.md), by name with their k:
//   coverage@k  distinct items in all top-k lists / n_items
//   gini@k      Gini coefficient of how often each item appears in the top-k lists, items
//               that never appear included (0 = every item equally often, -> 1 = one item)
//   novelty@k   mean over lists of mean(-log2 p(i)), p(i) = the item's share of training
//               interactions, smoothed as (count + 1) / (total + n_items) so an item never
//               seen in training has a finite novelty
//   avgpop@k    mean over lists of the mean training count of their items
// They need each target's top-k list, so only the full-ranking protocol has them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace shiftrec {

class ListMetric {
 public:
  explicit ListMetric(int64_t k) : k_(k) {}
  virtual ~ListMetric() = default;
  // lists [T * width] item ids, best first, width >= k (the first k of each row are used);
  // train_counts [n_items].
  virtual double value(const std::vector<int32_t>& lists, int64_t width,
                       const std::vector<int64_t>& train_counts) const = 0;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

using ListMetricFactory = std::function<std::unique_ptr<ListMetric>(int64_t k)>;
using ListMetricRegistry = Registry<ListMetricFactory>;
ListMetricRegistry& list_metric_registry();

// "coverage@10" -> the metric; UserError for an unknown name or a bad k.
std::unique_ptr<ListMetric> make_list_metric(const std::string& name_at_k);
// True when the part before '@' names a list metric.
bool is_list_metric(const std::string& name_at_k);

}  // namespace shiftrec
