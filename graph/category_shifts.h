// The category shift graph, counted from training prefixes: where users' interests move.
//
// On data whose new interests follow a graph over categories shared by users (the planted
// synthetic data; on real catalogues, "bought a camera, then a tripod"), the best guess of
// *where* an interest moves is a category reached from the user's current ones. This counts
// it: at every training position whose item is a shift — it has a (non-ignored) category, none
// of its categories occurred earlier in the user's prefix, and it is no repeat — each of the
// categories of the `window` items before it ("from", weight 1 / their number) sends weight to
// each of the item's categories ("to", weight 1 / their number). Rows are smoothed and
// normalised: row c is P(to | from c). Only training prefixes are read (never a valid or test
// interaction).
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

struct Interactions;
struct Split;

struct CategoryShiftGraph {
  int64_t n_categories = 0;
  std::vector<double> counts;       // [C * C] raw weights, row = from, column = to
  std::vector<double> probability;  // [C * C] (counts + smoothing) / row total
  int64_t shifts = 0;               // training positions counted
};

// Shift positions are the NOVEL ones of datasets/shift_labels.h (categories carried by more
// than `common_share` of the items ignored, as there); window >= 1; smoothing > 0 (added to
// every cell). `split` must come from `data` (same users, same sequences).
CategoryShiftGraph count_category_shifts(const Split& split, const Interactions& data,
                                         double common_share, int64_t window, double smoothing);

}  // namespace shiftrec
