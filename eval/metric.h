// Ranking metrics, looked up by name with their cut-off: "ndcg@10", "recall@20", "mrr@10".
//
// Targets are grouped into queries: the targets that share one history (one user's several
// test items under a ratio, temporal or given split; a single target under leave-one-out).
// A metric is a function of the 1-based ranks r_1 <= ... <= r_n of one query's n targets
// among all candidates (ties pessimistic: r counts every candidate scored >= the target, the
// target included), averaged over queries (REFERENCE.md). With h = #{i : r_i <= k}:
//   recall@k    = h / n
//   hit@k       = 1[h > 0]
//   ndcg@k      = sum_{r_i <= k} 1/log2(r_i + 1) / sum_{j=1..min(k,n)} 1/log2(j + 1)
//   mrr@k       = 1[r_1 <= k] / r_1
//   precision@k = h / k
//   map@k       = sum_{r_i <= k} (i / r_i) / min(k, n)      (i = 1-based index among hits)
// With one target these are 1[r <= k], 1[r <= k], 1/log2(r+1), 1/r, 1/k and 1/r within k.
// List metrics over the top-k lists (coverage, gini, novelty, avgpop) are in list_metric.h.
// Here a k larger than the number of candidates is well defined (every rank is within k);
// a run's config refuses such a k (read_plan), since every target would then count as a hit.
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
  // The value for one query: `count` >= 1 ranks, each >= 1, sorted ascending.
  virtual double value(const int64_t* sorted_ranks, int64_t count) const = 0;
  double value(int64_t rank) const { return value(&rank, 1); }
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

// Query q owns ranks [query_offsets[q], query_offsets[q + 1]); empty offsets = one query per
// rank. The ranks of a query need not be sorted.
// -> [n_queries] the metric's value for each query.
std::vector<double> query_values(const RankMetric& metric, const std::vector<int64_t>& ranks,
                                 const std::vector<int64_t>& query_offsets = {});

// Mean over queries of each named metric. No ranks give 0 for every metric.
std::map<std::string, double> mean_metrics(const std::vector<std::string>& names,
                                           const std::vector<int64_t>& ranks,
                                           const std::vector<int64_t>& query_offsets = {});

}  // namespace shiftrec

#define SHIFTREC_REGISTER_METRIC(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::metric_registry, name, description, factory)
