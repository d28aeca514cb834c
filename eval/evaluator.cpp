#include "eval/evaluator.h"

#include "core/config.h"
#include "core/error.h"
#include "datasets/split.h"
#include "eval/metric.h"

namespace shiftrec {

EvalOptions EvalOptions::from_config(ConfigSection s) {
  EvalOptions o;
  o.metrics = s.get_string_list("metrics", o.metrics, "ranking metrics, each reported at every k");
  o.ks = s.get_int_list("ks", o.ks, 1, int64_t{1} << 30, "cut-offs for every metric");
  o.batch_size = s.get_int("batch_size", o.batch_size, 1, 1 << 24,
                           "users scored at once (bounds the [batch, n_items] score matrix)");
  if (o.metrics.empty()) s.fail("metrics", "empty list: expected at least one metric");
  if (o.ks.empty()) s.fail("ks", "empty list: expected at least one cut-off");
  for (const auto& name : o.metrics) {
    if (!metric_registry().contains(name)) {
      try {
        metric_registry().get(name);
      } catch (const UserError& e) {
        s.fail("metrics", e.what());
      }
    }
  }
  return o;
}

std::vector<std::string> EvalOptions::metric_names() const {
  std::vector<std::string> names;
  for (const auto& metric : metrics) {
    for (int64_t k : ks) names.push_back(metric + "@" + std::to_string(k));
  }
  return names;
}

SplitEvaluation evaluate_split(const Split& split, const std::string& split_name,
                               const Scorer& scorer, int64_t max_length,
                               const EvalOptions& options, c10::Device device) {
  const EvalTargets& targets = split.targets(split_name);
  RankingOptions ranking;
  ranking.batch_size = options.batch_size;
  ranking.max_length = max_length;
  SplitEvaluation out;
  out.split = split_name;
  out.n_targets = targets.size();
  out.ranks = rank_targets(split, targets, scorer, ranking, device).ranks;
  out.metrics = mean_metrics(options.metric_names(), out.ranks);
  return out;
}

}  // namespace shiftrec
