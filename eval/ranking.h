// Ranking evaluation: each target is ranked against every item (full), or against its own
// fixed sampled negatives (sampled protocols).
//
// Targets sharing a history (one query, see EvalTargets::query_offsets) are scored once;
// queries are scored in batches of `batch_size`, so at most [batch_size, n_items] scores
// exist at once (plus one copy of as many rows for queries with several targets) — never the
// whole users x items matrix. A target's rank is pessimistic:
// 1 + the number of other items scored >= it, so ties never flatter a model and a constant
// scorer gets rank n_items.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace shiftrec {

struct Split;
struct EvalTargets;

// histories [B, L] int64 tokens (item + 1, 0 = padding, left-padded), users [B] int64
// (dense ids, for models that represent users by id) and gaps [B, L] int64 (time-gap
// buckets to each column's next interaction, datasets/time_gaps.h; undefined when the split
// has no timestamps), all on the device -> scores [B, n_items] (column = item id).
using Scorer = std::function<at::Tensor(const at::Tensor& histories, const at::Tensor& users,
                                        const at::Tensor& gaps)>;
// Arguments as above -> scores [B, L, n_items]: column t scores the item after the
// history's first t + 1 columns (causal), for scoring every position of a sequence at once.
using PositionScorer = Scorer;

// A scorer's arguments for histories of `split`: row r reads items [begin[r], begin[r] +
// length[r]) (their last max_length) of user users[r]; everything on `device`.
struct ScorerInputs {
  at::Tensor histories;  // [R, L]
  at::Tensor users;      // [R]
  at::Tensor gaps;       // [R, L] or undefined
  at::Tensor score(const Scorer& scorer) const { return scorer(histories, users, gaps); }
};
ScorerInputs scorer_inputs(const Split& split, const std::vector<int64_t>& begin,
                           const std::vector<int64_t>& length, const std::vector<int64_t>& users,
                           int64_t max_length, c10::Device device);

struct RankingOptions {
  int64_t batch_size = 1024;  // queries scored at once
  int64_t max_length = 50;    // histories keep their last max_length items
  int64_t top_k = 0;          // > 0: also return each target's top-k item ids (k capped at n_items)
  // Sampled protocol: when non-null, each target is ranked only against its own
  // `n_negatives` items in (*negatives)[t * n_negatives ...], not against all items.
  const std::vector<int32_t>* negatives = nullptr;
  int64_t n_negatives = 0;
  // Full ranking: the items of the target's history score -inf (ranked below everything),
  // the usual protocol for general CF. A target that repeats a history item then ranks last.
  bool mask_history = false;
  // CPU float scores: ranks and top-k in one pass (fused_ranking.h). false = the tensor
  // operations every device uses (for comparison).
  bool fused_cpu = true;
  // When set, called once per batch with the index of its first query and the scores
  // [Q, n_items] as the scorer returned them (before any masking).
  std::function<void(int64_t first_query, const at::Tensor& scores)> observe_scores;
};

struct RankingResult {
  std::vector<int64_t> ranks;  // [T] 1-based
  int64_t top_k_width = 0;     // min(top_k, n_items)
  std::vector<int32_t> top_k;  // [T * top_k_width] item ids, best first
};

// Ranks every target of `targets`; its history is the user's items before the target's
// position in `split`. Throws UserError when a target's score is NaN.
RankingResult rank_targets(const Split& split, const EvalTargets& targets, const Scorer& scorer,
                           const RankingOptions& options, c10::Device device);

// The rank of each target among scores: 1 + #(other items scored >= target score).
// scores [B, n] float, targets [B] int64 -> [B] int64. NaN target scores give rank 0.
at::Tensor pessimistic_ranks(const at::Tensor& scores, const at::Tensor& targets);

}  // namespace shiftrec
