#include "eval/significance.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shiftrec {
namespace {

TEST(Wilcoxon, ExactSmallSamplesWithoutTies) {
  // All five differences positive: W+ = 15 is the largest of 2^5 sign patterns -> p = 2/32.
  EXPECT_NEAR(wilcoxon_signed_rank_p({0, 0, 0, 0, 0}, {1, 2, 3, 4, 5}), 0.0625, 1e-12);
  // d = -1, 2, 3, -4, 5, 6: W+ = 16; 10 of the 64 subsets of {1..6} sum to >= 16 (their
  // complements sum to <= 5) -> p = 2 * 10/64.
  EXPECT_NEAR(wilcoxon_signed_rank_p({1, 0, 0, 4, 0, 0}, {0, 2, 3, 0, 5, 6}), 0.3125, 1e-12);
  // Symmetric in the order of the two models; zero differences are dropped.
  EXPECT_NEAR(wilcoxon_signed_rank_p({0, 2, 3, 0, 5, 6, 7}, {1, 0, 0, 4, 0, 0, 7}), 0.3125, 1e-12);
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p({1, 2}, {1, 2}), 1.0);
}

TEST(Wilcoxon, NormalApproximationWithTies) {
  // d = 1, 1, 2, 2, 2, -3: |d| ranks 1.5 1.5 4 4 4 6, W+ = 15, mean 21/2,
  // variance 6*7*13/24 - ((2^3 - 2) + (3^3 - 3))/48 = 22.125, continuity 0.5.
  const double expected = std::erfc((15.0 - 10.5 - 0.5) / std::sqrt(22.125) / std::sqrt(2.0));
  EXPECT_NEAR(wilcoxon_signed_rank_p({0, 0, 0, 0, 0, 3}, {1, 1, 2, 2, 2, 0}), expected, 1e-12);
}

TEST(PairedBootstrap, IntervalAroundTheMeanDifferenceAndReproducible) {
  std::vector<double> a, b;
  for (int i = 0; i < 400; ++i) {
    a.push_back(i % 3 == 0 ? 1.0 : 0.0);
    b.push_back(i % 2 == 0 ? 1.0 : 0.0);
  }
  const PairedInterval interval = paired_bootstrap(a, b, 2000, 0.95, 5);
  double mean = 0;
  for (size_t i = 0; i < a.size(); ++i) mean += (b[i] - a[i]) / a.size();
  EXPECT_DOUBLE_EQ(interval.mean_difference, mean);
  EXPECT_LT(interval.low, mean);
  EXPECT_GT(interval.high, mean);
  // Standard error of the mean difference: sd(d)/sqrt(n); the 95% interval spans ~3.92 of it.
  double var = 0;
  for (size_t i = 0; i < a.size(); ++i) var += std::pow(b[i] - a[i] - mean, 2) / (a.size() - 1);
  const double width = 3.92 * std::sqrt(var / a.size());
  EXPECT_NEAR(interval.high - interval.low, width, 0.15 * width);
  const PairedInterval again = paired_bootstrap(a, b, 2000, 0.95, 5);
  EXPECT_EQ(again.low, interval.low);
  EXPECT_EQ(again.high, interval.high);
  // A constant difference has no spread.
  const PairedInterval constant = paired_bootstrap({0, 0, 0}, {0.5, 0.5, 0.5}, 100, 0.95, 1);
  EXPECT_DOUBLE_EQ(constant.low, 0.5);
  EXPECT_DOUBLE_EQ(constant.high, 0.5);
}

}  // namespace
// By hand: sorted 0.01, 0.03, 0.04, 0.2 scale by 4, 3, 2, 1 to 0.04, 0.09, 0.08, 0.2; the
// step-down keeps them non-decreasing (0.08 -> 0.09) and caps at 1.
TEST(Holm, StepDownAdjustmentInTheGivenOrder) {
  const std::vector<double> adjusted = holm_adjusted({0.01, 0.04, 0.03, 0.2});
  const std::vector<double> expected = {0.04, 0.09, 0.09, 0.2};
  ASSERT_EQ(adjusted.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(adjusted[i], expected[i], 1e-12) << i;
  EXPECT_EQ(holm_adjusted({0.6, 0.5}), (std::vector<double>{1.0, 1.0}));
  EXPECT_TRUE(holm_adjusted({}).empty());
}

}  // namespace shiftrec
