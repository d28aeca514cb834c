// Ranking metrics, looked up by name with their cut-off: "ndcg@10", "recall@20", "mrr@10".
//
// Every metric here is a function of one target's 1-based rank r among the candidates
// (ties pessimistic: r counts every candidate scored >= the target, the target included),
// averaged over targets (REFERENCE.md):
//   recall@k = hit@k = 1[r <= k]
//   ndcg@k   = 1[r <= k] / log2(r + 1)
//   mrr@k    = 1[r <= k] / r
//   precision@k = 1[r <= k] / k
//   map@k    = average precision within k; with one relevant item per target, 1[r <= k] / r
// List metrics over the top-k lists (coverage, gini, novelty, avgpop) are in list_metric.h.
// A k larger than the number of candidates is allowed: every rank is then within k.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace shiftrec {

class RankMetric {
 public:
  explicit RankMetric(int64_t k) : k_(k) {}
  virtual ~RankMetric() = default;
  // The value for one target of rank r >= 1.
  virtual double value(int64_t rank) const = 0;
  int64_t k() const { return k_; }

 private:
  int64_t k_;
};

using MetricFactory = std::function<std::unique_ptr<RankMetric>(int64_t k)>;
using MetricRegistry = Registry<MetricFactory>;
MetricRegistry& metric_registry();

// Parses "ndcg@10" into the metric; throws UserError for an unknown name (listing the known
// ones), a missing or non-positive k.
std::unique_ptr<RankMetric> make_metric(const std::string& name_at_k);

// Mean of each named metric over `ranks` (1-based). Empty ranks give 0 for every metric.
std::map<std::string, double> mean_metrics(const std::vector<std::string>& names,
                                           const std::vector<int64_t>& ranks);

}  // namespace shiftrec

#define SHIFTREC_REGISTER_METRIC(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::metric_registry, name, description, factory)
