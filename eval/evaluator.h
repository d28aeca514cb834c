// Evaluation of one split under the full-ranking protocol, with the configured metrics.
//
//   [eval]
//   metrics    = ["recall", "ndcg", "mrr"]   # each is reported at every k
//   ks         = [10, 20]
//   batch_size = 1024                         # users scored at once
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/ranking.h"

namespace shiftrec {

class ConfigSection;

struct EvalOptions {
  std::vector<std::string> metrics = {"recall", "ndcg", "mrr"};
  std::vector<int64_t> ks = {10, 20};
  int64_t batch_size = 1024;

  // Validates metric names against the registry (error located at eval.metrics).
  static EvalOptions from_config(ConfigSection section);
  // "recall@10", "recall@20", "ndcg@10", ... in metrics-major order.
  std::vector<std::string> metric_names() const;
};

struct SplitEvaluation {
  std::string split;  // "valid" or "test"
  int64_t n_targets = 0;
  std::map<std::string, double> metrics;
  std::vector<int64_t> ranks;  // [n_targets] 1-based, pessimistic
};

SplitEvaluation evaluate_split(const Split& split, const std::string& split_name,
                               const Scorer& scorer, int64_t max_length,
                               const EvalOptions& options, c10::Device device);

}  // namespace shiftrec
