#include "eval/sampled_negatives.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/error.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(SampledNegatives, FixedForASeedDistinctAndNeverTheUsersItems) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const int64_t n = 10;
  const auto a = draw_sampled_negatives(split, split.test, n, 99);
  const auto b = draw_sampled_negatives(split, split.test, n, 99);
  EXPECT_EQ(a, b);  // same seed, same candidates: every model and rerun sees these
  EXPECT_NE(draw_sampled_negatives(split, split.test, n, 100), a);
  for (int64_t t = 0; t < split.test.size(); ++t) {
    const int32_t u = split.test.user[t];
    const std::set<int32_t> own(split.items.begin() + split.offsets[u],
                                split.items.begin() + split.offsets[u + 1]);
    const std::set<int32_t> drawn(a.begin() + t * n, a.begin() + (t + 1) * n);
    EXPECT_EQ(static_cast<int64_t>(drawn.size()), n);  // distinct
    for (int32_t item : drawn) {
      EXPECT_EQ(own.count(item), 0u) << "user " << u << " item " << item;
      EXPECT_GE(item, 0);
      EXPECT_LT(item, split.n_items);
    }
  }
}

TEST(SampledNegatives, PopularityDrawsFollowTrainingCountsAndSkipUnseenItems) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const std::vector<int64_t> counts = split.train_item_counts();
  const int64_t n = 5;
  const auto drawn = draw_sampled_negatives(split, split.test, n, 7, NegativeSampling::kPopularity);
  EXPECT_EQ(drawn, draw_sampled_negatives(split, split.test, n, 7, NegativeSampling::kPopularity));
  EXPECT_NE(drawn, draw_sampled_negatives(split, split.test, n, 7, NegativeSampling::kUniform));
  std::vector<int64_t> times(split.n_items, 0);
  for (int64_t t = 0; t < split.test.size(); ++t) {
    const int32_t u = split.test.user[t];
    const std::set<int32_t> own(split.items.begin() + split.offsets[u],
                                split.items.begin() + split.offsets[u + 1]);
    const std::set<int32_t> row(drawn.begin() + t * n, drawn.begin() + (t + 1) * n);
    EXPECT_EQ(static_cast<int64_t>(row.size()), n);
    for (int32_t item : row) {
      EXPECT_EQ(own.count(item), 0u);
      EXPECT_GT(counts[item], 0) << "an item without training interactions was drawn";
      ++times[item];
    }
  }
  // The most popular item is drawn more often than items of median popularity.
  std::vector<int32_t> order(split.n_items);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return counts[a] > counts[b]; });
  double median_draws = 0;
  for (int64_t i = split.n_items / 2 - 5; i < split.n_items / 2 + 5; ++i)
    median_draws += times[order[i]] / 10.0;
  EXPECT_GT(static_cast<double>(times[order[0]]), 2.0 * median_draws);
}

TEST(SampledNegatives, TooFewUntouchedItemsIsAnError) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  EXPECT_THROW(draw_sampled_negatives(split, split.test, split.n_items, 1), UserError);
}

}  // namespace
}  // namespace shiftrec
