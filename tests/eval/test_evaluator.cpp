#include "eval/evaluator.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>

#include "datasets/split.h"

namespace shiftrec {
namespace {

// Items: i0 {A}, i1 {B}, i2 {C}, i3 {A}. User 0: i0 i0 i1 i2; user 1: i1 i1 i1 i3.
// Leave-one-out test targets i2 (category C, never seen: NOVEL) and i3 (A, never seen: NOVEL).
Interactions data() {
  Interactions d;
  d.n_users = 2;
  d.n_items = 4;
  d.n_categories = 3;
  d.user = {0, 0, 0, 0, 1, 1, 1, 1};
  d.item = {0, 0, 1, 2, 1, 1, 1, 3};
  d.time = {0, 1, 2, 3, 0, 1, 2, 3};
  d.user_original_ids = {0, 1};
  d.item_original_ids = {0, 1, 2, 3};
  d.category_offsets = {0, 1, 2, 3, 4};
  d.category_ids = {0, 1, 2, 0};
  d.sort_and_index();
  return d;
}

// Every user gets scores 4, 3, 2, 1 for items 0..3.
Scorer descending_scores() {
  return [](const at::Tensor& histories, const at::Tensor& /*users*/, const at::Tensor& /*gaps*/) {
    return at::tensor({4.0f, 3.0f, 2.0f, 1.0f})
        .unsqueeze(0)
        .expand({histories.size(0), 4})
        .contiguous();
  };
}

TEST(Evaluator, NewCategoryHitOfShiftTargetsByHand) {
  const Interactions d = data();
  const Split split = leave_one_out(d);
  EvalOptions options;
  options.metrics = {"recall"};
  options.ks = {1, 3};
  Evaluator evaluator(split, d, options);
  // Every user gets scores 4, 3, 2, 1 for items 0..3: top-1 = {i0}, top-3 = {i0, i1, i2}.
  const Scorer scorer = descending_scores();
  const SplitEvaluation e = evaluator.evaluate("test", scorer, 50, c10::Device(c10::kCPU));
  const LabelSummary& shift = e.by_label.at("SHIFT");
  ASSERT_EQ(shift.count, 2);
  EXPECT_EQ(e.by_label.at("NOVEL").count, 2);
  // Ranks: i2 is 3rd, i3 4th -> recall@1 = 0, recall@3 = 1/2.
  EXPECT_DOUBLE_EQ(shift.metrics.at("recall@3"), 0.5);
  // Top-1 {i0 (A)}: user 1's target i3 (A) shares a category, user 0's i2 (C) does not.
  EXPECT_DOUBLE_EQ(shift.metrics.at("newcat_hit@1"), 0.5);
  // Top-3 holds i2 (C) and i0 (A): both.
  EXPECT_DOUBLE_EQ(shift.metrics.at("newcat_hit@3"), 1.0);
  EXPECT_EQ(e.by_label.at("REVISIT").count, 0);
  EXPECT_TRUE(e.by_label.at("REVISIT").metrics.empty());
}

TEST(Evaluator, ShiftTargetsRankedAmongTheItemsOutsideTheirWindow) {
  const Interactions d = data();
  const Split split = leave_one_out(d);
  EvalOptions options;
  options.metrics = {"recall"};
  options.ks = {1, 3};
  Evaluator evaluator(split, d, options);
  const Scorer scorer = descending_scores();  // 4, 3, 2, 1 for items 0..3
  const SplitEvaluation e = evaluator.evaluate("test", scorer, 50, c10::Device(c10::kCPU), 0, true);
  // User 0: window {A, B}, outside only i2 (C): the target i2 ranks 1st there.
  // User 1: window {B}, outside i0 (A), i2 (C), i3 (A): the target i3 (score 1) ranks 3rd.
  const LabelSummary& shift = e.by_label.at("SHIFT");
  EXPECT_DOUBLE_EQ(shift.metrics.at("cond_recall@1"), 0.5);
  EXPECT_DOUBLE_EQ(shift.metrics.at("cond_recall@3"), 1.0);
  // Every target is a shift: detection cannot be judged (one class), never a made-up 0.5.
  EXPECT_EQ(e.detection.shifts, 2);
  EXPECT_TRUE(std::isnan(e.detection.by_score.at("model").roc_auc));
  ASSERT_EQ(e.shift_scores.size(), 2u);
  // User 0's mass outside {A, B}: softmax(4, 3, 2, 1)[i2].
  const double z = std::exp(4.0) + std::exp(3.0) + std::exp(2.0) + std::exp(1.0);
  EXPECT_NEAR(e.shift_scores[0], std::exp(2.0) / z, 1e-6);
}

}  // namespace
}  // namespace shiftrec
