#include "eval/significance.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/seed.h"

namespace shiftrec {

PairedInterval paired_bootstrap(const std::vector<double>& a, const std::vector<double>& b,
                                int64_t resamples, double level, uint64_t seed) {
  SHIFTREC_ASSERT(a.size() == b.size(), "paired values of different lengths");
  SHIFTREC_ASSERT(resamples > 0 && level > 0.0 && level < 1.0, "bad bootstrap settings");
  PairedInterval out;
  const size_t n = a.size();
  if (n == 0) return out;
  std::vector<double> difference(n);
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) sum += difference[i] = b[i] - a[i];
  out.mean_difference = sum / static_cast<double>(n);
  Rng rng(derive_seed(seed, "eval.bootstrap"));
  std::vector<double> means(static_cast<size_t>(resamples));
  for (auto& mean : means) {
    double resampled = 0.0;
    for (size_t i = 0; i < n; ++i) resampled += difference[uniform_index(rng, n)];
    mean = resampled / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  // Percentiles by linear interpolation between order statistics.
  const auto percentile = [&means](double q) {
    const double position = q * static_cast<double>(means.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, means.size() - 1);
    return means[below] + (position - static_cast<double>(below)) * (means[above] - means[below]);
  };
  out.low = percentile((1.0 - level) / 2.0);
  out.high = percentile((1.0 + level) / 2.0);
  return out;
}

double wilcoxon_signed_rank_p(const std::vector<double>& a, const std::vector<double>& b) {
  SHIFTREC_ASSERT(a.size() == b.size(), "paired values of different lengths");
  std::vector<double> difference;
  for (size_t i = 0; i < a.size(); ++i) {
    if (b[i] != a[i]) difference.push_back(b[i] - a[i]);
  }
  const size_t n = difference.size();
  if (n == 0) return 1.0;
  std::sort(difference.begin(), difference.end(),
            [](double x, double y) { return std::fabs(x) < std::fabs(y); });
  // Average ranks over runs of equal |d|, the tie correction sum(t^3 - t), and W+.
  double w_plus = 0.0, tie_correction = 0.0;
  bool ties = false;
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && std::fabs(difference[end]) == std::fabs(difference[start])) ++end;
    const double rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    const double t = static_cast<double>(end - start);
    tie_correction += t * t * t - t;
    ties = ties || end - start > 1;
    for (size_t i = start; i < end; ++i) {
      if (difference[i] > 0) w_plus += rank;
    }
    start = end;
  }
  const double total = static_cast<double>(n) * static_cast<double>(n + 1) / 2.0;
  if (!ties && n <= 50) {
    // Exact: count the subsets of ranks {1..n} by their sum.
    const size_t max_sum = n * (n + 1) / 2;
    std::vector<double> ways(max_sum + 1, 0.0);
    ways[0] = 1.0;
    for (size_t r = 1; r <= n; ++r) {
      for (size_t s = max_sum; s >= r; --s) ways[s] += ways[s - r];
    }
    const double w = std::max(w_plus, total - w_plus);  // the upper tail, by symmetry
    double tail = 0.0;
    for (size_t s = static_cast<size_t>(w); s <= max_sum; ++s) tail += ways[s];
    return std::min(1.0, 2.0 * tail / std::pow(2.0, static_cast<double>(n)));
  }
  const double mean = total / 2.0;
  const double variance =
      static_cast<double>(n) * static_cast<double>(n + 1) * static_cast<double>(2 * n + 1) / 24.0 -
      tie_correction / 48.0;
  if (variance <= 0.0) return 1.0;
  const double deviation = std::max(0.0, std::fabs(w_plus - mean) - 0.5);
  return std::min(1.0, std::erfc(deviation / std::sqrt(variance) / std::sqrt(2.0)));
}

std::vector<double> holm_adjusted(const std::vector<double>& p) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(p.size());
  double running = 0.0;  // adjusted values never decrease along the sorted order
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const double scaled = std::min(1.0, static_cast<double>(p.size() - rank) * p[order[rank]]);
    running = std::max(running, scaled);
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

}  // namespace shiftrec
