// Paired significance of a difference between two models on the same targets (REFERENCE.md:
// every comparison reports a paired test and a 95% interval, not only two means).
//
// Inputs are paired per-query values: a[i] and b[i] are the two models' metric on query i.
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

struct PairedInterval {
  double mean_difference = 0.0;  // mean of b - a
  double low = 0.0;              // percentile bootstrap interval of the mean difference
  double high = 0.0;
};

// Resamples the queries with replacement `resamples` times (seeded, so reproducible) and
// takes the (1 - level)/2 and (1 + level)/2 percentiles of the resampled mean differences.
PairedInterval paired_bootstrap(const std::vector<double>& a, const std::vector<double>& b,
                                int64_t resamples = 1000, double level = 0.95, uint64_t seed = 0);

// Two-sided p-value of the Wilcoxon signed-rank test of b - a: zero differences dropped,
// tied |differences| get their average rank. Exact distribution of W+ when there are at most
// 50 non-zero differences without ties; otherwise the normal approximation with tie and
// continuity correction. No non-zero difference gives 1.
double wilcoxon_signed_rank_p(const std::vector<double>& a, const std::vector<double>& b);

// Holm's step-down adjustment of a family of p-values (any order): the adjusted values, in
// `p`'s order. Controls the family-wise error rate without assuming independence.
std::vector<double> holm_adjusted(const std::vector<double>& p);

}  // namespace shiftrec
