#include "datasets/time_gaps.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "tests/fixtures.h"
#include "train/batching.h"

namespace shiftrec {
namespace {

TEST(TimeGaps, BucketsAreHalfOctavesOfOnePlusTheGap) {
  EXPECT_EQ(gap_bucket(0), 1);                               // 2 * log2(1) = 0
  EXPECT_EQ(gap_bucket(-7), 1);                              // clock skew counts as no gap
  EXPECT_EQ(gap_bucket(1), 3);                               // 2 * log2(2) = 2
  EXPECT_EQ(gap_bucket(2), 4);                               // 2 * log2(3) = 3.17
  EXPECT_EQ(gap_bucket(3), 5);                               // 2 * log2(4) = 4
  EXPECT_EQ(gap_bucket(3599), 24);                           // 2 * log2(3600) = 23.6
  EXPECT_EQ(gap_bucket(int64_t{1} << 40), kGapBuckets - 1);  // capped
}

TEST(TimeGaps, PackedLikeHistoriesWithTheGapToEachColumnsNextInteraction) {
  // One sequence of 5 interactions at times 0, 1, 4, 4, 19; sequence end 5.
  const std::vector<int64_t> times = {0, 1, 4, 4, 19};
  // Row 0: items [0, 3), max_length 2 -> columns hold interactions 1 and 2.
  // Row 1: items [0, 5) -> the last column has no next interaction: bucket 0.
  // Row 2: one item, left-padded.
  const auto gaps = pack_gap_buckets(times, {0, 0, 0}, {3, 5, 1}, {5, 5, 5}, /*max_length=*/2);
  ASSERT_EQ(gaps.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(gaps[0][0].item<int64_t>(), gap_bucket(4 - 1));
  EXPECT_EQ(gaps[0][1].item<int64_t>(), gap_bucket(4 - 4));
  EXPECT_EQ(gaps[1][0].item<int64_t>(), gap_bucket(19 - 4));
  EXPECT_EQ(gaps[1][1].item<int64_t>(), 0);
  EXPECT_EQ(gaps[2][0].item<int64_t>(), 0);  // padding
  EXPECT_EQ(gaps[2][1].item<int64_t>(), gap_bucket(1 - 0));
}

TEST(TimeGaps, SplitGapsStopAtEachUsersSequenceAndAreAbsentWithoutTimestamps) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  Split split = leave_one_out(data.interactions);
  ASSERT_FALSE(split.times.empty());
  // Each user's whole sequence: the last column never reads the next user's first time.
  std::vector<int64_t> begin, length;
  for (int64_t u = 0; u < 3; ++u) {
    begin.push_back(split.offsets[u]);
    length.push_back(split.offsets[u + 1] - split.offsets[u]);
  }
  const auto gaps = split_gap_buckets(split, begin, length, 4);
  for (int64_t r = 0; r < 3; ++r) {
    EXPECT_EQ(gaps[r][3].item<int64_t>(), 0);
    const int64_t last = begin[r] + length[r] - 1;
    EXPECT_EQ(gaps[r][2].item<int64_t>(), gap_bucket(split.times[last] - split.times[last - 1]));
  }
  split.times.clear();
  EXPECT_FALSE(split_gap_buckets(split, begin, length, 4).defined());
}

TEST(TimeGaps, TrainingBatchesNeverReadTheTimeOfAValidOrTestTarget) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  Split moved = split;  // every valid and test target a year later
  for (int64_t u = 0; u < split.n_users; ++u) {
    for (int64_t i = split.offsets[u] + split.train_length[u]; i < split.offsets[u + 1]; ++i) {
      moved.times[i] += 365 * 86400;
    }
  }
  SequenceBatcher original(split, 6, 8, true, 2), shifted(moved, 6, 8, true, 2);
  Rng rng(5);
  for (const auto& users : original.epoch_plan(rng)) {
    const auto a = original.make_batch(users), b = shifted.make_batch(users);
    ASSERT_TRUE(a.gaps.defined());
    ASSERT_EQ(a.gaps.sizes(), a.inputs.sizes());
    EXPECT_TRUE(at::equal(a.gaps, b.gaps));
    EXPECT_TRUE(at::equal(a.gaps.eq(0), a.inputs.eq(0)));  // a bucket for every real input
  }
}

}  // namespace
}  // namespace shiftrec
