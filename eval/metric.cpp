#include "eval/metric.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "eval/metric_names.h"

namespace shiftrec {

MetricRegistry& metric_registry() { return MetricRegistry::instance("metric"); }

std::unique_ptr<RankMetric> make_metric(const std::string& name_at_k) {
  if (metric_kind(name_at_k) != MetricKind::kRank) {
    throw UserError("\"" + name_at_k + "\" is a list metric, not a per-target rank metric");
  }
  return metric_registry().get(name_at_k.substr(0, name_at_k.find('@')))(metric_cutoff(name_at_k));
}

std::vector<double> query_values(const RankMetric& metric, const std::vector<int64_t>& ranks,
                                 const std::vector<int64_t>& query_offsets) {
  if (query_offsets.empty()) {
    std::vector<double> values(ranks.size());
    for (size_t t = 0; t < ranks.size(); ++t) {
      SHIFTREC_ASSERT(ranks[t] >= 1, "rank below 1");
      values[t] = metric.value(ranks[t]);
    }
    return values;
  }
  SHIFTREC_ASSERT(
      query_offsets.front() == 0 && query_offsets.back() == static_cast<int64_t>(ranks.size()),
      "query offsets do not cover the ranks");
  std::vector<double> values(query_offsets.size() - 1);
  std::vector<int64_t> sorted;
  for (size_t q = 0; q + 1 < query_offsets.size(); ++q) {
    sorted.assign(ranks.begin() + query_offsets[q], ranks.begin() + query_offsets[q + 1]);
    SHIFTREC_ASSERT(!sorted.empty(), "empty query");
    std::sort(sorted.begin(), sorted.end());
    SHIFTREC_ASSERT(sorted.front() >= 1, "rank below 1");
    values[q] = metric.value(sorted.data(), static_cast<int64_t>(sorted.size()));
  }
  return values;
}

std::map<std::string, double> mean_metrics(const std::vector<std::string>& names,
                                           const std::vector<int64_t>& ranks,
                                           const std::vector<int64_t>& query_offsets) {
  std::map<std::string, double> out;
  for (const auto& name : names) {
    const std::vector<double> values = query_values(*make_metric(name), ranks, query_offsets);
    double sum = 0.0;
    for (double v : values) sum += v;
    out[name] = values.empty() ? 0.0 : sum / static_cast<double>(values.size());
  }
  return out;
}

namespace {

// Hits: how many of the sorted ranks are within k.
int64_t hits_within(const int64_t* sorted_ranks, int64_t count, int64_t k) {
  return std::upper_bound(sorted_ranks, sorted_ranks + count, k) - sorted_ranks;
}

class Recall : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t n) const override {
    return static_cast<double>(hits_within(r, n, k())) / static_cast<double>(n);
  }
};

class Hit : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t /*n*/) const override { return r[0] <= k() ? 1.0 : 0.0; }
};

class Ndcg : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t n) const override {
    const int64_t hits = hits_within(r, n, k());
    double dcg = 0.0;
    for (int64_t i = 0; i < hits; ++i) dcg += 1.0 / std::log2(static_cast<double>(r[i]) + 1.0);
    double ideal = 0.0;
    for (int64_t j = 1; j <= std::min(k(), n); ++j)
      ideal += 1.0 / std::log2(static_cast<double>(j) + 1.0);
    return dcg / ideal;
  }
};

class Mrr : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t /*n*/) const override {
    return r[0] <= k() ? 1.0 / static_cast<double>(r[0]) : 0.0;
  }
};

class Precision : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t n) const override {
    return static_cast<double>(hits_within(r, n, k())) / static_cast<double>(k());
  }
};

class AveragePrecision : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(const int64_t* r, int64_t n) const override {
    const int64_t hits = hits_within(r, n, k());
    double sum = 0.0;
    // Pessimistic ties can give two targets one rank; precision at a rank never exceeds 1.
    for (int64_t i = 0; i < hits; ++i) {
      sum += std::min(1.0, static_cast<double>(i + 1) / static_cast<double>(r[i]));
    }
    return sum / static_cast<double>(std::min(k(), n));
  }
};

template <typename M>
MetricFactory factory_of() {
  return [](int64_t k) -> std::unique_ptr<RankMetric> { return std::make_unique<M>(k); };
}

}  // namespace

SHIFTREC_REGISTER_METRIC("recall", "share of a query's targets ranked within k",
                         factory_of<Recall>());
SHIFTREC_REGISTER_METRIC("hit", "1 if any target is ranked within k (= recall with one target)",
                         factory_of<Hit>());
SHIFTREC_REGISTER_METRIC("ndcg", "DCG of the targets within k over the ideal DCG",
                         factory_of<Ndcg>());
SHIFTREC_REGISTER_METRIC("mrr", "1/rank of the best-ranked target within k, else 0",
                         factory_of<Mrr>());
SHIFTREC_REGISTER_METRIC("precision", "targets within k / k", factory_of<Precision>());
SHIFTREC_REGISTER_METRIC("map", "average precision within k (one target: 1/rank)",
                         factory_of<AveragePrecision>());

}  // namespace shiftrec
