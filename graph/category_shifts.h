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
//
// Counting splits a shift evenly among the recent categories, though one of them is where the
// interest came from (on the planted data: the dropped interest). With `em_iterations` > 0
// the split is re-estimated as a mixture (expectation-maximisation): each iteration gives
// a shift's (from a, to b) pairs the weight P(b | a) of the previous graph, normalised over
// the shift's pairs, and recounts. Each iteration cannot lower the likelihood of the shifts
// under "the new category comes from one recent category, chosen uniformly".
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

struct CategoryShiftOptions {
  double common_share = 0.9;  // categories on more items than this share are ignored
  int64_t window = 5;         // recent items whose categories a shift comes from (>= 1)
  double smoothing = 0.01;    // added to every cell (> 0)
  int64_t em_iterations = 0;  // 0: the even split
};

// Shift positions are the NOVEL ones of datasets/shift_labels.h (categories carried by more
// than `common_share` of the items ignored, as there). `split` must come from `data` (same
// users, same sequences).
CategoryShiftGraph count_category_shifts(const Split& split, const Interactions& data,
                                         const CategoryShiftOptions& options);

}  // namespace shiftrec
