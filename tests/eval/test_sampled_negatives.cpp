#include "eval/sampled_negatives.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(SampledNegatives, TooFewUntouchedItemsIsAnError) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  EXPECT_THROW(draw_sampled_negatives(split, split.test, split.n_items, 1), UserError);
}

}  // namespace
}  // namespace shiftrec
