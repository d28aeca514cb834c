// Shift detection: how well a score predicts that a target is an interest shift
// (label y = 1[SHIFT], REFERENCE.md), and the two baselines a model's score must beat.
//
//   roc_auc            Mann-Whitney: P(score of a shift > score of a non-shift), ties 1/2
//   average_precision  PR-AUC as average precision: sum over distinct score thresholds,
//                      highest first, of (recall gained) x (precision at the threshold)
// Baselines, one score per target:
//   past_shift_rate      the user's share of SHIFT among the labelled positions 1..h-1 of the
//                        history the model sees (causal; 0 with none)
//   time_since_previous  the target's time minus the time of the interaction before it
// UNLABELLED targets are left out of detection (no category, so no truth).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/shift_labels.h"

namespace shiftrec {

// NaN when `positive` has only one class (the score cannot be judged).
double roc_auc(const std::vector<double>& scores, const std::vector<uint8_t>& positive);
double average_precision(const std::vector<double>& scores, const std::vector<uint8_t>& positive);

// [T] the baselines' scores for `targets`.
std::vector<double> past_shift_rate(const Interactions& data, const EvalTargets& targets,
                                    int64_t window, double common_share);
std::vector<double> time_since_previous(const Interactions& data, const EvalTargets& targets);

struct DetectionScores {
  double roc_auc = 0.0;
  double pr_auc = 0.0;
  // The ROC curve, (false positive rate, true positive rate) from (0, 0) to (1, 1), thinned
  // to at most kRocPoints points; empty when a class is missing.
  std::vector<std::array<double, 2>> roc;
};
constexpr size_t kRocPoints = 101;

// The ROC curve of `scores` (higher = more likely positive): one point after each group of
// equal scores, so its trapezoid area is roc_auc (ties are diagonal steps). At most
// `max_points` (>= 2) points, evenly picked, the first and last always kept.
std::vector<std::array<double, 2>> roc_curve(const std::vector<double>& scores,
                                             const std::vector<uint8_t>& positive,
                                             size_t max_points = kRocPoints);

// Each named score over the labelled targets: name -> ROC-AUC and PR-AUC. Also returns the
// number of labelled targets and of shifts among them.
struct ShiftDetection {
  int64_t targets = 0;
  int64_t shifts = 0;
  std::map<std::string, DetectionScores> by_score;
};
ShiftDetection score_shift_detection(const std::map<std::string, std::vector<double>>& scores,
                                     const std::vector<ShiftLabel>& labels);

}  // namespace shiftrec
