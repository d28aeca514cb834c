// Training batches of next-item examples from the training prefixes of a Split.
//
// Each user with a training prefix of n >= 2 items is one example: inputs are the prefix
// without its last item, targets the prefix shifted by one (both truncated to their last
// max_length items). Batches are left-padded to the longest example in the batch, not to
// max_length: with length bucketing, users are shuffled, grouped into pools of
// `bucket_pool` batches, sorted by length inside a pool, cut into batches, and the batch
// order shuffled — so padding nearly vanishes while batches stay random. Bucketed batches
// hold very different numbers of positions, so the trainer weights each batch's mean loss by
// positions / mean_positions_per_batch(): every position then weighs what it weighs in
// random batches (measured on Beauty: without this weight, bucketing cost 11% NDCG@10).
//
//   inputs  [B, L] int64 tokens (item + 1, 0 = padding)
//   targets [B, L] int64 tokens of the next item (0 where there is none)
//   gaps    [B, L] int64 time-gap buckets to each input's target (datasets/time_gaps.h);
//           undefined when the split has no timestamps
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "core/seed.h"

namespace shiftrec {

struct Split;

struct SequenceBatch {
  at::Tensor inputs;      // [B, L]
  at::Tensor targets;     // [B, L]
  at::Tensor gaps;        // [B, L] or undefined
  int64_t positions = 0;  // supervised positions (non-zero targets)
};

class SequenceBatcher {
 public:
  SequenceBatcher(const Split& split, int64_t max_length, int64_t batch_size, bool length_buckets,
                  int64_t bucket_pool = 64);

  // The batches of one epoch, as lists of user ids, in training order.
  std::vector<std::vector<int32_t>> epoch_plan(Rng& rng) const;
  // Builds the CPU tensors for one planned batch.
  SequenceBatch make_batch(const std::vector<int32_t>& users) const;

  int64_t n_examples() const { return static_cast<int64_t>(users_.size()); }
  // Supervised positions per batch, averaged over an epoch's batches.
  double mean_positions_per_batch() const;

 private:
  const Split& split_;
  int64_t max_length_;
  int64_t batch_size_;
  bool length_buckets_;
  int64_t bucket_pool_;
  // How many of a row's `length` targets (its last min(length, max_length)) come before the
  // user's split.supervised_from: the row's first columns, never supervised.
  int64_t old_targets(int32_t user, int64_t length) const;
  // Zeroes the targets before each user's split.supervised_from (and counts them out).
  void unsupervise_old_targets(const std::vector<int32_t>& users,
                               const std::vector<int64_t>& length, SequenceBatch& batch) const;

  std::vector<int32_t> users_;  // users with at least 2 training items
};

}  // namespace shiftrec
