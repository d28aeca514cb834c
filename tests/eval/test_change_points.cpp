#include "eval/change_points.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "eval/evaluator.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(ChangePoints, RunsOfHighScoresAreOneDetection) {
  EXPECT_EQ(detections_from_scores({0, 0.6, 0.7, 0.2, 0.9, 0.5}, 0.5),
            (std::vector<int32_t>{1, 4}));
  EXPECT_TRUE(detections_from_scores({0.1, 0.2}, 0.5).empty());
}

TEST(ChangePoints, OneToOneMatchingWithinTheMarginByHand) {
  // User 0: planted 5 and 20, detected 3, 6, 30. 5-6 (distance 1) wins over 5-3 (2);
  // 20 has nothing within 5. User 1: planted 10 and 12, one detection 11: one match only,
  // to the earlier (equal distance). User 2: a detection with nothing planted.
  const ChangePointScores s =
      match_change_points({{5, 20}, {10, 12}, {}}, {{3, 6, 30}, {11}, {7}}, 5);
  EXPECT_EQ(s.planted, 4);
  EXPECT_EQ(s.detected, 5);
  EXPECT_EQ(s.matched, 2);
  EXPECT_DOUBLE_EQ(s.precision, 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(s.recall, 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(s.f1, 2 * 0.4 * 0.5 / 0.9);
  EXPECT_DOUBLE_EQ(s.mean_delay, (1.0 + 1.0) / 2.0);  // 6 - 5 and 11 - 10
  // Margin 0 needs exact positions.
  EXPECT_EQ(match_change_points({{5}}, {{6}}, 0).matched, 0);
  const ChangePointScores none = match_change_points({{5}}, {{}}, 5);
  EXPECT_EQ(none.precision, 0.0);
  EXPECT_EQ(none.f1, 0.0);
}

// A one-pass scorer of every position must give what scoring each prefix gives.
TEST(ChangePoints, CausalPassEqualsScoringEachPrefix) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const int64_t n = split.n_items;
  // Scores depend on the token they follow: item (token * 7) mod n scores high.
  const auto from_tokens = [n](const at::Tensor& tokens) {  // [...] -> [..., n]
    auto favourite = (tokens * 7).remainder(n).unsqueeze(-1);
    return at::arange(n, at::kLong).eq(favourite).to(at::kFloat) * 4.0;
  };
  const Scorer scorer = [&](const at::Tensor& h, const at::Tensor& /*users*/,
                            const at::Tensor& /*gaps*/) { return from_tokens(h.select(1, -1)); };
  const PositionScorer positions = [&](const at::Tensor& h, const at::Tensor& /*users*/,
                                       const at::Tensor& /*gaps*/) { return from_tokens(h); };
  EvalOptions options;
  options.shift_window = 3;
  options.change_point_threshold = 0.05;
  Evaluator evaluator(split, data.interactions, options);
  const ChangePointScores pass =
      evaluator.detect_change_points(scorer, positions, 50, c10::kCPU, data.change_points);
  const ChangePointScores prefixes =
      evaluator.detect_change_points(scorer, positions, 1, c10::kCPU, data.change_points);
  EXPECT_GT(pass.detected, 0);
  EXPECT_EQ(pass.planted, static_cast<int64_t>(data.change_points.size()));
  EXPECT_EQ(pass.detected, prefixes.detected);
  EXPECT_EQ(pass.matched, prefixes.matched);
  EXPECT_DOUBLE_EQ(pass.mean_delay, prefixes.mean_delay);
}

}  // namespace
}  // namespace shiftrec
