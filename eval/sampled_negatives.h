// Negatives for sampled ranking protocols ("uni100": the target against 100 items).
//
// Drawn once per split from an explicit seed — never redrawn per epoch or per model — so
// every model and every rerun with the same seed ranks against the same candidates. For each
// target: `count` distinct items drawn uniformly from the items the user never interacted
// with (in any split).
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

struct Split;
struct EvalTargets;

// -> [T * count] item ids, row t = target t's negatives. Throws UserError when a user has
// fewer than `count` items they never touched.
std::vector<int32_t> draw_sampled_negatives(const Split& split, const EvalTargets& targets,
                                            int64_t count, uint64_t seed);

}  // namespace shiftrec
