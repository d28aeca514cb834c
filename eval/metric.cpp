#include "eval/metric.h"

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace shiftrec {

MetricRegistry& metric_registry() { return MetricRegistry::instance("metric"); }

std::unique_ptr<RankMetric> make_metric(const std::string& name_at_k) {
  const size_t at = name_at_k.find('@');
  const std::string name = name_at_k.substr(0, at);
  const MetricFactory& factory = metric_registry().get(name);
  if (at == std::string::npos) {
    throw UserError("metric \"" + name_at_k + "\" needs a cut-off, e.g. \"" + name + "@10\"");
  }
  const std::string k_text = name_at_k.substr(at + 1);
  int64_t k = 0;
  auto [end, ec] = std::from_chars(k_text.data(), k_text.data() + k_text.size(), k);
  if (ec != std::errc() || end != k_text.data() + k_text.size() || k <= 0) {
    throw UserError("metric \"" + name_at_k + "\": cut-off \"" + k_text +
                    "\" is not a positive integer");
  }
  return factory(k);
}

std::map<std::string, double> mean_metrics(const std::vector<std::string>& names,
                                           const std::vector<int64_t>& ranks) {
  std::map<std::string, double> out;
  for (const auto& name : names) {
    const auto metric = make_metric(name);
    double sum = 0.0;
    for (int64_t r : ranks) {
      SHIFTREC_ASSERT(r >= 1, "rank below 1");
      sum += metric->value(r);
    }
    out[name] = ranks.empty() ? 0.0 : sum / static_cast<double>(ranks.size());
  }
  return out;
}

namespace {

class Recall : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(int64_t rank) const override { return rank <= k() ? 1.0 : 0.0; }
};

class Ndcg : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(int64_t rank) const override {
    return rank <= k() ? 1.0 / std::log2(static_cast<double>(rank) + 1.0) : 0.0;
  }
};

class Mrr : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(int64_t rank) const override {
    return rank <= k() ? 1.0 / static_cast<double>(rank) : 0.0;
  }
};

class Precision : public RankMetric {
 public:
  using RankMetric::RankMetric;
  double value(int64_t rank) const override {
    return rank <= k() ? 1.0 / static_cast<double>(k()) : 0.0;
  }
};

template <typename M>
MetricFactory factory_of() {
  return [](int64_t k) -> std::unique_ptr<RankMetric> { return std::make_unique<M>(k); };
}

}  // namespace

SHIFTREC_REGISTER_METRIC("recall", "share of targets ranked within k", factory_of<Recall>());
SHIFTREC_REGISTER_METRIC("hit", "1 if the target is ranked within k (= recall with one target)",
                         factory_of<Recall>());
SHIFTREC_REGISTER_METRIC("ndcg", "1/log2(rank+1) within k, else 0", factory_of<Ndcg>());
SHIFTREC_REGISTER_METRIC("mrr", "1/rank within k, else 0", factory_of<Mrr>());
SHIFTREC_REGISTER_METRIC("precision", "hits within k / k", factory_of<Precision>());
// With one relevant item per target, average precision@k is 1/rank within k (= MRR).
SHIFTREC_REGISTER_METRIC("map", "mean average precision within k (one target: 1/rank)",
                         factory_of<Mrr>());

}  // namespace shiftrec
