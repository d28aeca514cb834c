#include "eval/label_breakdown.h"

#include <gtest/gtest.h>

namespace shiftrec {
namespace {

TEST(LabelBreakdown, HandComputedTableWithAnEmptyLabel) {
  // Targets: rank 1 REPEAT-ITEM, rank 3 NOVEL, rank 11 REVISIT, rank 2 IN-WINDOW.
  const std::vector<int64_t> ranks = {1, 3, 11, 2};
  const std::vector<ShiftLabel> labels = {ShiftLabel::kRepeatItem, ShiftLabel::kNovel,
                                          ShiftLabel::kRevisit, ShiftLabel::kInWindow};
  const auto by = metrics_by_label({"recall@10", "mrr@10"}, ranks, labels);
  ASSERT_EQ(by.size(), 6u);
  // SHIFT = NOVEL + REVISIT: ranks 3 and 11 -> recall@10 1/2, mrr@10 (1/3 + 0) / 2.
  EXPECT_EQ(by.at("SHIFT").count, 2);
  EXPECT_DOUBLE_EQ(by.at("SHIFT").share, 0.5);
  EXPECT_DOUBLE_EQ(by.at("SHIFT").metrics.at("recall@10"), 0.5);
  EXPECT_NEAR(by.at("SHIFT").metrics.at("mrr@10"), 1.0 / 6.0, 1e-12);
  EXPECT_DOUBLE_EQ(by.at("REVISIT").metrics.at("recall@10"), 0.0);
  EXPECT_DOUBLE_EQ(by.at("NOVEL").metrics.at("mrr@10"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(by.at("IN-WINDOW").metrics.at("mrr@10"), 0.5);
  EXPECT_DOUBLE_EQ(by.at("REPEAT-ITEM").share, 0.25);
  // No UNLABELLED target: count 0 and no metrics, not a 0.
  EXPECT_EQ(by.at("UNLABELLED").count, 0);
  EXPECT_TRUE(by.at("UNLABELLED").metrics.empty());
}

TEST(LabelBreakdown, SeveralTargetsPerUserGroupByUserWithinALabel) {
  // User A: ranks 1 (SHIFT/NOVEL), 30 (SHIFT/REVISIT), 2 (IN-WINDOW); user B: rank 5 (NOVEL).
  const std::vector<int64_t> ranks = {1, 30, 2, 5};
  const std::vector<ShiftLabel> labels = {ShiftLabel::kNovel, ShiftLabel::kRevisit,
                                          ShiftLabel::kInWindow, ShiftLabel::kNovel};
  const auto by = metrics_by_label({"recall@10"}, ranks, labels, {0, 3, 4});
  // SHIFT: A's shift targets {1, 30} -> 1/2; B's {5} -> 1; mean over the two users 3/4
  // (per target it would be 2/3).
  EXPECT_EQ(by.at("SHIFT").count, 3);
  EXPECT_DOUBLE_EQ(by.at("SHIFT").metrics.at("recall@10"), 0.75);
  EXPECT_DOUBLE_EQ(by.at("NOVEL").metrics.at("recall@10"), 1.0);
  EXPECT_DOUBLE_EQ(by.at("REVISIT").metrics.at("recall@10"), 0.0);
  EXPECT_DOUBLE_EQ(by.at("IN-WINDOW").share, 0.25);
}

}  // namespace
}  // namespace shiftrec
