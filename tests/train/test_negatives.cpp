#include "train/negatives.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

namespace shiftrec {
namespace {

TEST(Negatives, NeverThePositiveAndUniformOverTheRest) {
  at::manual_seed(1);
  const int64_t n_items = 5;
  auto positives = at::full({20000}, 2, at::kLong);
  auto negatives = sample_negatives(positives, n_items, 3);
  EXPECT_EQ(negatives.sizes(), (std::vector<int64_t>{20000, 3}));
  EXPECT_FALSE(negatives.eq(2).any().item<bool>());
  EXPECT_TRUE(negatives.ge(0).all().item<bool>());
  EXPECT_TRUE(negatives.lt(n_items).all().item<bool>());
  // 60000 draws over 4 items: each share within 0.01 of 0.25 (standard error 0.0018).
  for (int64_t item : {0, 1, 3, 4}) {
    const double share = negatives.eq(item).to(at::kDouble).mean().item<double>();
    EXPECT_NEAR(share, 0.25, 0.01) << "item " << item;
  }
}

}  // namespace
}  // namespace shiftrec
