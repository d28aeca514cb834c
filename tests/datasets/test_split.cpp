#include "datasets/split.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "datasets/histories.h"
#include "datasets/synthetic.h"
#include "tests/datasets/split_properties.h"
#include "tests/fixtures.h"

#include <ATen/ATen.h>

namespace shiftrec {
namespace {

// user 0: items 3 1 4 1 (times 10..13); user 1: items 5 9 (too short for targets);
// user 2: items 2 6 5 (rows given out of time order on purpose).
Interactions hand_made() {
  Interactions d;
  d.n_users = 3;
  d.n_items = 10;
  d.user = {0, 0, 0, 0, 1, 1, 2, 2, 2};
  d.item = {3, 1, 4, 1, 5, 9, 5, 2, 6};
  d.time = {10, 11, 12, 13, 5, 6, 30, 10, 20};
  d.user_original_ids = {100, 101, 102};
  d.item_original_ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  d.sort_and_index();
  d.validate();
  return d;
}

TEST(Split, SortAndIndexOrdersEachUserByTime) {
  const Interactions d = hand_made();
  EXPECT_EQ(d.user_offsets, (std::vector<int64_t>{0, 4, 6, 9}));
  EXPECT_EQ(d.item, (std::vector<int32_t>{3, 1, 4, 1, 5, 9, 2, 6, 5}));
}

TEST(Split, LeaveOneOutByHand) {
  const Split s = leave_one_out(hand_made());
  EXPECT_EQ(s.protocol, "loo");
  EXPECT_EQ(s.train_length, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(s.valid.user, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(s.valid.item, (std::vector<int32_t>{4, 6}));
  EXPECT_EQ(s.test.item, (std::vector<int32_t>{1, 5}));
  EXPECT_EQ(s.test.position, (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(s.train_size(), 5);
  const auto counts = s.train_item_counts();
  EXPECT_EQ(counts[3], 1);
  EXPECT_EQ(counts[1], 1);
  EXPECT_EQ(counts[4], 0);  // a valid target is not training data
  EXPECT_EQ(counts[5], 1);
  EXPECT_EQ(counts[9], 1);
  EXPECT_EQ(counts[2], 1);
}

TEST(Split, NoProtocolLeaksTargetsIntoTraining) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Interactions& d = data.interactions;
  for (const Split& split : {leave_one_out(d), ratio_split(d, 0.6, 0.2),
                             temporal_split(d, time_quantile(d, 0.7), time_quantile(d, 0.85))}) {
    ASSERT_GT(split.valid.size(), 0);
    ASSERT_GT(split.test.size(), 0);
    testing::expect_no_leakage(split, d);
  }
  const Split loo = leave_one_out(d);
  for (int64_t t = 0; t < loo.test.size(); ++t)
    EXPECT_GT(loo.test.position[t], loo.valid.position[t]);
}

TEST(Split, RatioByHand) {
  // User 0 has 4 items (0.5 / 0.25 -> 2 train, 1 valid, 1 test); user 2 has 3 (clamped to
  // 1 / 1 / 1); user 1 has 2 (all training).
  const Split s = ratio_split(hand_made(), 0.5, 0.25);
  EXPECT_EQ(s.train_length, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(s.valid.item, (std::vector<int32_t>{4, 6}));
  EXPECT_EQ(s.test.item, (std::vector<int32_t>{1, 5}));
  EXPECT_EQ(s.test.history_length, (std::vector<int32_t>{3, 2}));
}

TEST(Split, TemporalByHand) {
  // Cuts at 12 and 20: user 0 (times 10 11 12 13) -> train 3 1, valid 4 1; user 1 (5, 6) all
  // train; user 2 (10 20 30) -> train 2, test 6 and 5 (both at or after 20).
  const Split s = temporal_split(hand_made(), 12, 20);
  EXPECT_EQ(s.train_length, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(s.valid.item, (std::vector<int32_t>{4, 1}));
  EXPECT_EQ(s.valid.history_length, (std::vector<int32_t>{2, 2}));
  EXPECT_EQ(s.test.item, (std::vector<int32_t>{6, 5}));
  EXPECT_EQ(s.test.history_length, (std::vector<int32_t>{1, 1}));
  testing::expect_no_leakage(s, hand_made());
}

TEST(Split, SampledValidationUsersKeepTrainingAndTestWhole) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  ASSERT_GT(split.valid.size(), 10);
  const auto users = sample_valid_users(split, 10, 7);
  ASSERT_EQ(users.size(), 10u);
  EXPECT_TRUE(std::is_sorted(users.begin(), users.end()));
  EXPECT_EQ(std::adjacent_find(users.begin(), users.end()), users.end());  // distinct
  EXPECT_EQ(sample_valid_users(split, 10, 7), users);                      // the seed decides
  EXPECT_NE(sample_valid_users(split, 10, 8), users);
  // Asking for more than there are gives every validation user once.
  EXPECT_EQ(sample_valid_users(split, 1 << 20, 7).size(), static_cast<size_t>(split.valid.size()));
  const Split sampled = with_valid_users(split, users);
  EXPECT_EQ(sampled.valid.user, users);  // loo: one target per user, in user order
  for (int64_t t = 0; t < sampled.valid.size(); ++t) {
    const auto at =
        std::find(split.valid.user.begin(), split.valid.user.end(), sampled.valid.user[t]);
    const auto index = at - split.valid.user.begin();
    EXPECT_EQ(sampled.valid.item[t], split.valid.item[index]);
    EXPECT_EQ(sampled.valid.history_length[t], split.valid.history_length[index]);
  }
  EXPECT_EQ(sampled.train_length, split.train_length);
  EXPECT_EQ(sampled.test.user, split.test.user);
  EXPECT_EQ(sampled.test.item, split.test.item);
}

TEST(Histories, LeftPaddedAndTruncatedToMaxLength) {
  const std::vector<int32_t> items = {3, 1, 4, 1, 5, 9};
  // Row 0: items[0..4) truncated to the last 3; row 1: items[4..5) (one item).
  auto packed = pack_histories(items, {0, 4}, {4, 1}, 3);
  ASSERT_EQ(packed.sizes(), (std::vector<int64_t>{2, 3}));
  const auto expected = at::tensor({2, 5, 2, 0, 0, 6}, at::kLong).view({2, 3});
  EXPECT_TRUE(at::equal(packed, expected)) << packed;
}

}  // namespace
}  // namespace shiftrec
