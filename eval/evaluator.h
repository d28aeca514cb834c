// Evaluation of one split under the full-ranking protocol, with the configured metrics.
//
//   [eval]
//   protocol   = "full"                      # or "uni100" / "pop100" (any uniN, popN): N negatives
//                                             # drawn uniformly / by training popularity
//   negatives_seed = 2024                     # the sampled negatives' seed, independent of the
//                                             # run seed: every model sees the same candidates
//   metrics    = ["recall", "ndcg", "mrr"]   # each at every k: recall, hit, ndcg, mrr,
//                                             # precision, map; coverage, gini, novelty, avgpop
//   ks         = [10, 20]
//   batch_size = 1024                         # queries (histories) scored at once
//   mask_history = false                      # full ranking without the history's items
//   valid_users = 0                           # early stopping on a random sample of this many
//                                             # validation users (Klenitskiy & Vasilev: 10,000);
//                                             # 0 = all. The final valid metrics cover all.
//   valid_users_seed = 2024                   # the sample's seed, independent of the run seed
//   shift_window = 50                         # W of the shift labels, whatever the model reads
//   common_category_share = 0.9               # categories on more items are ignored for labels
//   change_points = true                      # synthetic data: score the planted change
//                                             # points (every position against every item:
//                                             # interactions x items, the cost at scale)
//   change_point_margin = 5                   # synthetic data: matching margin (positions)
//   change_point_threshold = 0.5              # shift score at which a change is detected
// When the data has item categories, every metric is also reported per shift label, and the
// shift labels (SHIFT, REVISIT, NOVEL) get NewCategoryHit@k for every k: the share of their
// targets with a top-k item sharing a category with the target (full protocol only).
// Final evaluations also score shift detection (shift_detection.h): the model's shift score
// (softmax mass outside the window's categories, window_mass.h) against the past shift rate
// and the time since the previous interaction; SHIFT targets also get cond_<metric>@k:
// ranked only among the items outside their window's categories (where does the interest
// go, given that it moves); on synthetic data, change-point detection against the planted
// change points (change_points.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "datasets/synthetic.h"
#include "eval/change_points.h"
#include "eval/label_breakdown.h"
#include "eval/negatives_file.h"
#include "eval/ranking.h"
#include "eval/sampled_negatives.h"
#include "eval/shift_detection.h"
#include "eval/window_mass.h"

namespace shiftrec {

class ConfigSection;

struct EvalOptions {
  std::string protocol = "full";
  int64_t sampled_negatives = 0;  // N of "uniN" / "popN"; 0 = full ranking
  NegativeSampling sampling = NegativeSampling::kUniform;
  uint64_t negatives_seed = 2024;
  std::vector<std::string> metrics = {"recall", "ndcg", "mrr"};
  std::vector<int64_t> ks = {10, 20};
  int64_t batch_size = 1024;
  bool mask_history = false;
  int64_t valid_users = 0;  // 0 = every user validates
  uint64_t valid_users_seed = 2024;
  int64_t shift_window = 50;
  double common_category_share = 0.9;
  bool change_points = true;
  int64_t change_point_margin = 5;
  double change_point_threshold = 0.5;

  // Validates metric names against the registry (error located at eval.metrics).
  static EvalOptions from_config(ConfigSection section);
  // "recall@10", "recall@20", "ndcg@10", ... in metrics-major order.
  std::vector<std::string> metric_names() const;
  // The per-target rank metrics (reported per shift label too) and the top-k list metrics.
  std::vector<std::string> rank_metric_names() const;
  std::vector<std::string> list_metric_names() const;
};

struct SplitEvaluation {
  std::string split;  // "valid" or "test"
  int64_t n_targets = 0;
  std::map<std::string, double> metrics;
  std::vector<int64_t> ranks;  // [n_targets] 1-based, pessimistic
  // Targets sharing a history: query q owns ranks [query_offsets[q], query_offsets[q + 1]);
  // every rank metric averages over queries (users), not targets.
  std::vector<int64_t> query_offsets;
  // Per shift label; empty when the data has no categories.
  std::map<std::string, LabelSummary> by_label;
  std::vector<ShiftLabel> labels;  // [n_targets], empty when the data has no categories
  // Each target's top items, best first: [n_targets * top_k_width] (when asked for).
  std::vector<int32_t> top_k;
  int64_t top_k_width = 0;
  // Shift detection (when asked for and the data has categories): each target's model shift
  // score [n_targets], and ROC-AUC / PR-AUC of it and of the baselines.
  std::vector<double> shift_scores;
  ShiftDetection detection;
};

// Ranks and scores one split. Sampled negatives are drawn once per Evaluator and split.
class Evaluator {
 public:
  // `data` (the store `split` was made from) gives the categories for shift labels.
  Evaluator(const Split& split, const Interactions& data, EvalOptions options);
  // `top_k` > 0 also keeps every target's top-k list (k capped at n_items);
  // `shift_detection` also scores shift detection (data with categories only).
  SplitEvaluation evaluate(const std::string& split_name, const Scorer& scorer, int64_t max_length,
                           c10::Device device, int64_t top_k = 0, bool shift_detection = false);
  // Scores every position p >= 1 of every user's sequence from the items before it and
  // matches the detections with `planted` (sorted by user, position). `position_scorer`
  // scores every state of a causal pass; `scorer` the positions beyond max_length (all
  // positions when `position_scorer` is empty, for non-causal models).
  ChangePointScores detect_change_points(const Scorer& scorer,
                                         const PositionScorer& position_scorer, int64_t max_length,
                                         c10::Device device,
                                         const std::vector<ChangePoint>& planted);
  const EvalOptions& options() const { return options_; }
  // A model's own shift score (a shift head): histories, users -> probabilities [B]. When set,
  // shift detection reports it as "model" and the softmax mass as "softmax_mass".
  void set_shift_scorer(Scorer scorer) { shift_scorer_ = std::move(scorer); }

  // Sampled protocols: the split's negatives [T * N], drawn on first use.
  const std::vector<int32_t>& negatives(const std::string& split_name);
  // Both splits' negatives, for storing with a run.
  FrozenNegatives frozen_negatives();
  // Uses stored negatives instead of drawing; throws UserError when they do not fit this
  // protocol and split (`source` names the file in the message).
  void use_negatives(const FrozenNegatives& negatives, const std::string& source);
  // Identifies what a split is ranked against: the protocol, masking, every target and its
  // negatives. Two runs are comparable target by target only when theirs are equal.
  std::string candidates_fingerprint(const std::string& split_name);

 private:
  // What the one ranking pass of a split leaves for the stages after it.
  struct RankedSplit {
    const EvalTargets* targets = nullptr;
    std::vector<int64_t> query_offsets;
    const std::vector<ShiftLabel>* labels = nullptr;  // null without categories
    RankingResult result;                             // ranks, top-k lists
    // With shift detection: the softmax mass outside the window per query, and each SHIFT
    // target's rank among the items outside its window's categories (0 elsewhere).
    std::unique_ptr<OutsideWindowMass> mass;
    std::vector<double> query_mass;
    std::vector<int64_t> conditional_ranks;
  };
  RankedSplit rank_split(const std::string& split_name, const Scorer& scorer, int64_t max_length,
                         c10::Device device, int64_t top_k, bool shift_detection);
  RankingOptions ranking_options(const std::string& split_name, int64_t max_length, int64_t top_k);
  const std::vector<ShiftLabel>* split_labels(const std::string& split_name);
  // Called with each batch's scores [Q, n_items] during the ranking pass.
  void observe_shift_mass(RankedSplit& ranked, int64_t first_query, const at::Tensor& scores) const;
  // The stages.
  void add_list_metrics(const RankedSplit& ranked, SplitEvaluation& out);
  void add_label_breakdown(const RankedSplit& ranked, SplitEvaluation& out) const;
  void add_new_category_hits(const RankedSplit& ranked, SplitEvaluation& out) const;
  void add_shift_detection(const std::string& split_name, const RankedSplit& ranked,
                           int64_t max_length, c10::Device device, SplitEvaluation& out);
  // SHIFT targets ranked among the items outside their window's categories: cond_<metric>.
  void add_conditional_metrics(const std::vector<int64_t>& conditional_ranks,
                               SplitEvaluation& out) const;
  std::vector<double> head_scores(const EvalTargets& targets, const std::vector<int64_t>& queries,
                                  int64_t max_length, c10::Device device) const;

  const Split& split_;
  const Interactions& data_;
  EvalOptions options_;
  std::map<std::string, std::vector<int32_t>> negatives_;        // split name -> [T * N]
  std::map<std::string, std::vector<ShiftLabel>> labels_;        // split name -> [T]
  std::vector<int64_t> train_counts_;                            // [n_items], for list metrics
  std::map<std::string, std::vector<double>> past_shift_rates_;  // split name -> [T]
  Scorer shift_scorer_;
};

}  // namespace shiftrec
