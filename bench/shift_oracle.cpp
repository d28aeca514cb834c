// The ceiling on SHIFT targets: oracles that know the planted-shift generator's hidden state
// (datasets/synthetic_oracle.h) ranked by the same evaluator as the models, on the same
// data, split and shift labels as a run of the given config.
//   build/bench/shift_oracle [experiments/configs/quickstart.toml]
// The config must use the synthetic source; data.synthetic.seed (default 42) fixes the data.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/config.h"
#include "core/seed.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "datasets/synthetic_oracle.h"
#include "eval/evaluator.h"

using namespace shiftrec;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "experiments/configs/quickstart.toml";
  Config config = Config::from_file(path);
  SyntheticOptions options = SyntheticOptions::from_config(config.section("data.synthetic"));
  options.record_active_interests = true;
  const int64_t max_length =
      config.section("model").get_int("max_length", 50, 1, 1 << 16, "history");
  const SyntheticData data = generate_synthetic(options);
  const Split split = leave_one_out(data.interactions);
  Evaluator evaluator(split, data.interactions, EvalOptions::from_config(config.section("eval")));
  const SyntheticOracle oracle(data, options);
  // Query row -> its target's global row (LOO: one test target per user).
  std::vector<int64_t> target_row(split.n_users, -1);
  for (int64_t t = 0; t < split.test.size(); ++t) {
    target_row[split.test.user[t]] = split.offsets[split.test.user[t]] + split.test.position[t];
  }
  // Scores are log-probabilities, so the evaluator's softmax mass outside the window (the
  // shift score) is the oracle's own probability of a shift.
  // Items of equal probability (same popularity rank in two active categories) would tie,
  // and pessimistic ranks put a target below its ties: a fixed log-score jitter below 1e-5
  // breaks them at random instead, the same for every oracle.
  std::vector<float> jitter(split.n_items);
  Rng rng(derive_seed(7, "shift_oracle.ties"));
  for (float& j : jitter) j = static_cast<float>(1e-5 * uniform01(rng));
  std::printf("%s: %lld users, %lld items, %lld test targets\n\n", path.c_str(),
              static_cast<long long>(split.n_users), static_cast<long long>(split.n_items),
              static_cast<long long>(split.test.size()));
  std::printf(
      "| oracle | NDCG@10 | Recall@10 | SHIFT Recall@10 | SHIFT Recall@20 | SHIFT cond_Recall@10 | "
      "SHIFT NewCatHit@10 | shift ROC-AUC |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (OracleKnowledge knowledge :
       {OracleKnowledge::kFilterGraph, OracleKnowledge::kFilterGapNoGraph,
        OracleKnowledge::kFilterGapGraph, OracleKnowledge::kCurrentRegime}) {
    const Scorer scorer = [&](const at::Tensor& histories, const at::Tensor& users,
                              const at::Tensor& /*gaps*/) {
      auto scores = at::empty({histories.size(0), split.n_items}, at::kFloat);
      for (int64_t r = 0; r < histories.size(0); ++r) {
        const auto p =
            oracle.next_item_probabilities(target_row[users[r].item<int64_t>()], knowledge);
        float* row = scores.data_ptr<float>() + r * split.n_items;
        for (int64_t i = 0; i < split.n_items; ++i)
          row[i] = static_cast<float>(std::log(p[i]) + jitter[i]);
      }
      return scores;
    };
    const SplitEvaluation e = evaluator.evaluate("test", scorer, max_length, c10::Device(c10::kCPU),
                                                 /*top_k=*/0, /*shift_detection=*/true);
    const auto& shift = e.by_label.at("SHIFT").metrics;
    std::printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.3f |\n",
                oracle_name(knowledge).c_str(), e.metrics.at("ndcg@10"), e.metrics.at("recall@10"),
                shift.at("recall@10"), shift.at("recall@20"),
                shift.count("cond_recall@10") ? shift.at("cond_recall@10") : -1.0,
                shift.at("newcat_hit@10"), e.detection.by_score.at("model").roc_auc);
  }
  return 0;
}
