#include "eval/change_points.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "core/error.h"

namespace shiftrec {

std::vector<int32_t> detections_from_scores(const std::vector<double>& scores, double threshold) {
  std::vector<int32_t> out;
  for (size_t p = 0; p < scores.size(); ++p) {
    if (scores[p] >= threshold && (p == 0 || scores[p - 1] < threshold)) {
      out.push_back(static_cast<int32_t>(p));
    }
  }
  return out;
}

ChangePointScores match_change_points(const std::vector<std::vector<int32_t>>& truth,
                                      const std::vector<std::vector<int32_t>>& detected,
                                      int64_t margin) {
  SHIFTREC_ASSERT(truth.size() == detected.size(), "one list per user on both sides");
  ChangePointScores out;
  double delay = 0.0;
  std::vector<std::tuple<int64_t, int32_t, size_t, size_t>> pairs;  // (distance, true, i, j)
  for (size_t u = 0; u < truth.size(); ++u) {
    out.planted += static_cast<int64_t>(truth[u].size());
    out.detected += static_cast<int64_t>(detected[u].size());
    pairs.clear();
    for (size_t i = 0; i < truth[u].size(); ++i) {
      for (size_t j = 0; j < detected[u].size(); ++j) {
        const int64_t distance = std::llabs(static_cast<int64_t>(detected[u][j]) - truth[u][i]);
        if (distance <= margin) pairs.emplace_back(distance, truth[u][i], i, j);
      }
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<bool> true_used(truth[u].size()), detection_used(detected[u].size());
    for (const auto& [distance, position, i, j] : pairs) {
      if (true_used[i] || detection_used[j]) continue;
      true_used[i] = detection_used[j] = true;
      ++out.matched;
      delay += static_cast<double>(detected[u][j] - truth[u][i]);
    }
  }
  out.precision =
      out.detected > 0 ? static_cast<double>(out.matched) / static_cast<double>(out.detected) : 0.0;
  out.recall =
      out.planted > 0 ? static_cast<double>(out.matched) / static_cast<double>(out.planted) : 0.0;
  out.f1 = out.precision + out.recall > 0
               ? 2 * out.precision * out.recall / (out.precision + out.recall)
               : 0.0;
  out.mean_delay = out.matched > 0 ? delay / static_cast<double>(out.matched) : 0.0;
  return out;
}

}  // namespace shiftrec
