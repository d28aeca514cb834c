// Change-point detection against planted change points (synthetic data, REFERENCE.md):
// precision, recall and F1 with one-to-one matching within a margin of M positions, and the
// mean detection delay (detected - true position) over matched pairs.
//
// A detector here is a per-position shift score (the model's softmax mass outside the
// window's categories when predicting position p from positions < p): every maximal run of
// consecutive positions scoring >= threshold is one detection, at the run's first position.
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

struct ChangePointScores {
  int64_t planted = 0;
  int64_t detected = 0;
  int64_t matched = 0;
  double precision = 0.0;  // matched / detected (0 with no detection)
  double recall = 0.0;     // matched / planted
  double f1 = 0.0;
  double mean_delay = 0.0;  // over matched pairs; 0 with none
};

// Positions (ascending) where a run of scores >= threshold starts. scores[p] for p = 0..n-1.
std::vector<int32_t> detections_from_scores(const std::vector<double>& scores, double threshold);

// truth[u] and detected[u]: ascending positions of user u. Pairs are matched one to one,
// closest first (ties: the earlier pair), only when |detected - true| <= margin.
ChangePointScores match_change_points(const std::vector<std::vector<int32_t>>& truth,
                                      const std::vector<std::vector<int32_t>>& detected,
                                      int64_t margin);

}  // namespace shiftrec
