// Interest-shift labels of evaluation targets (docs/metrics.md).
//
// For a target at position p of user u, with category set C (ignoring categories that more
// than `common_share` of all items carry, such as a catalogue's root category), and W the
// window:
//   REPEAT-ITEM  the item occurs among u's items before p;
//   IN-WINDOW    not a repeat, and C shares a category with the W items before p;
//   REVISIT      C shares none with the window, but one of C occurred earlier in u's history;
//   NOVEL        C shares none with the window and never occurred before.
// SHIFT = REVISIT or NOVEL. A target whose item has no (non-common) category is UNLABELLED.
// Only interactions before p are used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/interactions.h"
#include "datasets/split.h"

namespace shiftrec {

enum class ShiftLabel : int8_t { kRepeatItem, kInWindow, kRevisit, kNovel, kUnlabelled };

const char* shift_label_name(ShiftLabel label);  // "REPEAT-ITEM", "IN-WINDOW", ...
bool is_shift(ShiftLabel label);

// ignored[c]: category c is carried by more than `common_share` of all items.
std::vector<bool> common_categories(const Interactions& data, double common_share);

// NewCategoryHit: 1 when one of `top` (item ids) shares a non-ignored category with `target`
// — credit for the right new interest even with the wrong item.
bool shares_category(const Interactions& data, const std::vector<bool>& ignored, int32_t target,
                     const int32_t* top, int64_t k);

// Labels every position of a user's sequence in one pass (O(length x categories per item)),
// reusing its scratch arrays from user to user.
class SequenceLabeller {
 public:
  // Throws UserError when `data` has no categories.
  SequenceLabeller(const Interactions& data, int64_t window, double common_share = 0.9);
  // [sequence_length(user)]: position p labelled from positions < p. Valid until the next call.
  const std::vector<ShiftLabel>& label(int32_t user);

 private:
  const Interactions& data_;
  int64_t window_;
  std::vector<bool> ignored_;
  std::vector<int64_t> last_item_;      // [n_items] last position of the item, -1 = not yet
  std::vector<int64_t> last_category_;  // [n_categories]
  std::vector<ShiftLabel> labels_;
};

// What makes shift labels weak, as sentences for `data stats` and the run's log: every category
// the common-category rule ignores (its name and share of items), a majority of UNLABELLED
// targets (shift metrics then rest on the few labelled ones), and SHIFT targets under 1% of
// the labelled ones (S3-Rec's LastFM: 3 of 1,090, its items carrying 12 tags each). Empty
// when none holds.
// Whether SHIFT targets are too few to read SHIFT metrics by: under 1% of the labelled ones.
inline bool few_shift_targets(int64_t shifts, int64_t labelled) {
  return labelled > 0 && 100 * shifts < labelled;
}

std::vector<std::string> label_coverage_warnings(const Interactions& data,
                                                 const std::vector<ShiftLabel>& labels,
                                                 double common_share);

// One label per target. Throws UserError when `data` has no categories.
std::vector<ShiftLabel> label_targets(const Interactions& data, const EvalTargets& targets,
                                      int64_t window, double common_share = 0.9);

}  // namespace shiftrec
