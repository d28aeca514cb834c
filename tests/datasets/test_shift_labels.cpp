#include "datasets/shift_labels.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/datasets/hand_labelled.h"

namespace shiftrec {
namespace {

using testing::hand_labelled;

EvalTargets targets(const std::vector<std::pair<int32_t, int32_t>>& user_position) {
  EvalTargets t;
  for (const auto& [u, p] : user_position) {
    t.user.push_back(u);
    t.position.push_back(p);
    t.item.push_back(0);  // not used for labelling
    t.history_length.push_back(p);
  }
  return t;
}

std::vector<std::string> names(const std::vector<ShiftLabel>& labels) {
  std::vector<std::string> out;
  for (ShiftLabel l : labels) out.push_back(shift_label_name(l));
  return out;
}

TEST(ShiftLabels, SequencesLabelledByHand) {
  const Interactions d = hand_labelled();
  const auto t = targets({{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {1, 1}, {1, 2}, {1, 3}});
  // Window 1: only the previous item counts as "recent".
  EXPECT_EQ(names(label_targets(d, t, 1)),
            (std::vector<std::string>{"NOVEL",         // i1 {B}: B never seen
                                      "NOVEL",         // i2 {C}
                                      "REPEAT-ITEM",   // i1 again
                                      "REPEAT-ITEM",   // i0 again
                                      "UNLABELLED",    // i4 carries only the ignored ROOT
                                      "NOVEL",         // user 1: i1 {B} after i0 {A}
                                      "REVISIT",       // i3 {A, C}: A seen at 0, not in window
                                      "IN-WINDOW"}));  // i2 {C} right after i3 {A, C}
  // Window 2 brings i0 {A} into i3's window.
  EXPECT_EQ(names(label_targets(d, targets({{1, 2}}), 2)), (std::vector<std::string>{"IN-WINDOW"}));
  // Without ignoring ROOT, every non-repeat target shares it with its window.
  EXPECT_EQ(names(label_targets(d, targets({{0, 1}, {1, 2}}), 1, /*common_share=*/1.0)),
            (std::vector<std::string>{"IN-WINDOW", "IN-WINDOW"}));
  EXPECT_TRUE(is_shift(ShiftLabel::kRevisit));
  EXPECT_TRUE(is_shift(ShiftLabel::kNovel));
  EXPECT_FALSE(is_shift(ShiftLabel::kInWindow));
}

TEST(ShiftLabels, NeedCategories) {
  Interactions d = hand_labelled();
  d.category_offsets.clear();
  d.category_ids.clear();
  EXPECT_THROW(label_targets(d, targets({{0, 1}}), 1), UserError);
}

}  // namespace
TEST(ShiftLabels, FewShiftTargetsAreWarnedAbout) {
  const Interactions d = testing::hand_labelled();
  // 1 SHIFT (NOVEL) in 150 labelled targets, 50 unlabelled: 0.7% -> warned.
  std::vector<ShiftLabel> labels(149, ShiftLabel::kInWindow);
  labels.push_back(ShiftLabel::kNovel);
  labels.insert(labels.end(), 50, ShiftLabel::kUnlabelled);
  const auto warnings = label_coverage_warnings(d, labels, 0.9);
  ASSERT_EQ(warnings.size(), 2u);  // ROOT is on every item; the SHIFT share
  EXPECT_EQ(warnings[1].rfind("only 1 of the 150 labelled targets (0.7%) are SHIFT", 0), 0u)
      << warnings[1];
  // 2 in 150 (1.3%): no longer.
  labels[0] = ShiftLabel::kRevisit;
  labels[1] = ShiftLabel::kNovel;
  EXPECT_EQ(label_coverage_warnings(d, labels, 0.9).size(), 1u);
}

}  // namespace shiftrec
