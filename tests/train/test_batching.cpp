#include "train/batching.h"

#include <gtest/gtest.h>

#include <map>

#include <ATen/ATen.h>

#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(Batching, EveryUserOncePerEpochTargetsShiftedAndOnlyTrainingItems) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  for (bool buckets : {false, true}) {
    SequenceBatcher batcher(split, /*max_length=*/6, /*batch_size=*/8, buckets, /*pool=*/2);
    Rng rng(3);
    std::map<int32_t, int> seen;
    int64_t total_positions = 0, batches = 0;
    for (const auto& users : batcher.epoch_plan(rng)) {
      EXPECT_LE(users.size(), 8u);
      SequenceBatch batch = batcher.make_batch(users);
      auto inputs = batch.inputs;
      auto targets = batch.targets;
      ASSERT_EQ(inputs.sizes(), targets.sizes());
      EXPECT_EQ(batch.positions, targets.ne(0).sum().item<int64_t>());
      total_positions += batch.positions;
      ++batches;
      for (size_t r = 0; r < users.size(); ++r) {
        const int32_t u = users[r];
        ++seen[u];
        const int64_t n = split.train_length[u];
        const int64_t width = inputs.size(1);
        const int64_t kept = std::min<int64_t>(n - 1, 6);
        for (int64_t j = 0; j < width; ++j) {
          const int64_t in = inputs[r][j].item<int64_t>();
          const int64_t out = targets[r][j].item<int64_t>();
          if (j < width - kept) {
            EXPECT_EQ(in, 0);
            EXPECT_EQ(out, 0);
            continue;
          }
          // Column j holds training position p; its target is position p + 1 < n.
          const int64_t p = n - 1 - (width - j);
          EXPECT_EQ(in, split.items[split.offsets[u] + p] + 1);
          EXPECT_EQ(out, split.items[split.offsets[u] + p + 1] + 1);
          EXPECT_LT(p + 1, n);  // never a valid or test item
        }
      }
    }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), batcher.n_examples());
    EXPECT_DOUBLE_EQ(batcher.mean_positions_per_batch(),
                     static_cast<double>(total_positions) / static_cast<double>(batches));
    for (const auto& [u, count] : seen) EXPECT_EQ(count, 1) << "user " << u;
  }
}

TEST(Batching, TargetsBeforeSupervisedFromAreInputsOnly) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  Split split = leave_one_out(data.interactions);
  const Split plain = split;
  // Per user a different start: 0 (all), past the prefix (none), and in between, some inside
  // the truncated window (max_length 6) and some before it.
  split.supervised_from.resize(static_cast<size_t>(split.n_users));
  for (int64_t u = 0; u < split.n_users; ++u) split.supervised_from[u] = (u * 7) % 40;
  SequenceBatcher batcher(split, /*max_length=*/6, /*batch_size=*/8, /*buckets=*/true, 2);
  SequenceBatcher full(plain, 6, 8, true, 2);
  Rng rng(3);
  int64_t total_positions = 0, batches = 0;
  for (const auto& users : batcher.epoch_plan(rng)) {
    const SequenceBatch batch = batcher.make_batch(users), all = full.make_batch(users);
    EXPECT_TRUE(at::equal(batch.inputs, all.inputs));  // histories unchanged
    EXPECT_EQ(batch.positions, batch.targets.ne(0).sum().item<int64_t>());
    total_positions += batch.positions;
    ++batches;
    const int64_t width = batch.targets.size(1);
    for (size_t r = 0; r < users.size(); ++r) {
      const int64_t u = users[r], n = split.train_length[u];
      for (int64_t j = 0; j < width; ++j) {
        const int64_t target_index = n - (width - j);  // column j's target in the sequence
        const int64_t expected =
            target_index >= split.supervised_from[u] ? all.targets[r][j].item<int64_t>() : 0;
        EXPECT_EQ(batch.targets[r][j].item<int64_t>(), expected) << "user " << u << " column " << j;
      }
    }
  }
  EXPECT_DOUBLE_EQ(batcher.mean_positions_per_batch(),
                   static_cast<double>(total_positions) / static_cast<double>(batches));
  EXPECT_LT(total_positions, static_cast<int64_t>(full.mean_positions_per_batch() * batches));
}

}  // namespace
}  // namespace shiftrec
