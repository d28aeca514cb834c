// Negatives for sampled ranking protocols ("uni100": the target against 100 items drawn
// uniformly; "pop100": drawn in proportion to training popularity).
//
// Drawn once per split from an explicit seed — never redrawn per epoch or per model — so
// every model and every rerun with the same seed ranks against the same candidates; a run
// also stores them (negatives_file.h). For each target: `count` distinct items drawn from
// the items the user never interacted with (in any split); under popularity sampling, only
// items with at least one training interaction can be drawn.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

struct Split;
struct EvalTargets;

enum class NegativeSampling { kUniform, kPopularity };

// -> [T * count] item ids, row t = target t's negatives. Throws UserError when a user has
// fewer than `count` items they never touched (that can be drawn).
std::vector<int32_t> draw_sampled_negatives(const Split& split, const EvalTargets& targets,
                                            int64_t count, uint64_t seed,
                                            NegativeSampling sampling = NegativeSampling::kUniform);

}  // namespace shiftrec
