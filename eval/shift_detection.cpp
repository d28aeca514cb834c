#include "eval/shift_detection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"

namespace shiftrec {
namespace {

// Indices sorted by score, highest first (stable, so equal scores keep their order).
std::vector<size_t> by_score_descending(const std::vector<double>& scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

double roc_auc(const std::vector<double>& scores, const std::vector<uint8_t>& positive) {
  SHIFTREC_ASSERT(scores.size() == positive.size(), "one label per score");
  const std::vector<size_t> order = by_score_descending(scores);
  // Walk groups of equal scores: each positive beats the negatives below its group and ties
  // (1/2) with the negatives inside it.
  double wins = 0.0, negatives_below = 0.0;
  int64_t n_positive = 0, n_negative = 0;
  for (size_t i = 0; i < positive.size(); ++i) (positive[i] ? n_positive : n_negative) += 1;
  if (n_positive == 0 || n_negative == 0) return std::numeric_limits<double>::quiet_NaN();
  negatives_below = static_cast<double>(n_negative);
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    double group_positive = 0.0, group_negative = 0.0;
    while (end < order.size() && scores[order[end]] == scores[order[start]]) {
      (positive[order[end]] ? group_positive : group_negative) += 1.0;
      ++end;
    }
    negatives_below -= group_negative;
    wins += group_positive * (negatives_below + 0.5 * group_negative);
    start = end;
  }
  return wins / (static_cast<double>(n_positive) * static_cast<double>(n_negative));
}

std::vector<std::array<double, 2>> roc_curve(const std::vector<double>& scores,
                                             const std::vector<uint8_t>& positive,
                                             size_t max_points) {
  SHIFTREC_ASSERT(scores.size() == positive.size() && max_points >= 2, "one label per score");
  const double n_positive =
      static_cast<double>(std::count(positive.begin(), positive.end(), uint8_t{1}));
  const double n_negative = static_cast<double>(positive.size()) - n_positive;
  if (n_positive == 0 || n_negative == 0) return {};
  const std::vector<size_t> order = by_score_descending(scores);
  std::vector<std::array<double, 2>> curve = {{0.0, 0.0}};
  double true_positives = 0.0, false_positives = 0.0;
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    while (end < order.size() && scores[order[end]] == scores[order[start]]) {
      (positive[order[end]] ? true_positives : false_positives) += 1.0;
      ++end;
    }
    curve.push_back({false_positives / n_negative, true_positives / n_positive});
    start = end;
  }
  if (curve.size() <= max_points) return curve;
  std::vector<std::array<double, 2>> thinned;
  for (size_t i = 0; i < max_points; ++i) {
    thinned.push_back(curve[i * (curve.size() - 1) / (max_points - 1)]);
  }
  return thinned;
}

double average_precision(const std::vector<double>& scores, const std::vector<uint8_t>& positive) {
  SHIFTREC_ASSERT(scores.size() == positive.size(), "one label per score");
  const int64_t n_positive = std::count(positive.begin(), positive.end(), uint8_t{1});
  if (n_positive == 0 || n_positive == static_cast<int64_t>(positive.size())) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const std::vector<size_t> order = by_score_descending(scores);
  double ap = 0.0, true_positives = 0.0;
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    double gained = 0.0;
    while (end < order.size() && scores[order[end]] == scores[order[start]]) {
      gained += positive[order[end]] ? 1.0 : 0.0;
      ++end;
    }
    true_positives += gained;
    ap += (gained / static_cast<double>(n_positive)) * (true_positives / static_cast<double>(end));
    start = end;
  }
  return ap;
}

std::vector<double> past_shift_rate(const Interactions& data, const EvalTargets& targets,
                                    int64_t window, double common_share) {
  SequenceLabeller labeller(data, window, common_share);
  std::vector<double> rate(targets.size(), 0.0);
  for (int64_t t = 0; t < targets.size();) {
    const int32_t user = targets.user[t];
    const std::vector<ShiftLabel>& labels = labeller.label(user);
    // prefix counts over positions 1.. (position 0 has no past to shift from)
    std::vector<int64_t> shifts(labels.size() + 1, 0), labelled(labels.size() + 1, 0);
    for (size_t p = 0; p < labels.size(); ++p) {
      const bool counted = p > 0 && labels[p] != ShiftLabel::kUnlabelled;
      shifts[p + 1] = shifts[p] + (counted && is_shift(labels[p]));
      labelled[p + 1] = labelled[p] + counted;
    }
    for (; t < targets.size() && targets.user[t] == user; ++t) {
      const int64_t h = targets.history_length[t];
      rate[t] =
          labelled[h] > 0 ? static_cast<double>(shifts[h]) / static_cast<double>(labelled[h]) : 0.0;
    }
  }
  return rate;
}

std::vector<double> time_since_previous(const Interactions& data, const EvalTargets& targets) {
  std::vector<double> gap(targets.size(), 0.0);
  for (int64_t t = 0; t < targets.size(); ++t) {
    const int64_t row = data.user_offsets[targets.user[t]] + targets.position[t];
    if (targets.position[t] > 0) gap[t] = static_cast<double>(data.time[row] - data.time[row - 1]);
  }
  return gap;
}

ShiftDetection score_shift_detection(const std::map<std::string, std::vector<double>>& scores,
                                     const std::vector<ShiftLabel>& labels) {
  ShiftDetection out;
  std::vector<uint8_t> positive;
  std::vector<size_t> kept;
  for (size_t t = 0; t < labels.size(); ++t) {
    if (labels[t] == ShiftLabel::kUnlabelled) continue;
    kept.push_back(t);
    positive.push_back(is_shift(labels[t]) ? 1 : 0);
  }
  out.targets = static_cast<int64_t>(kept.size());
  out.shifts = std::count(positive.begin(), positive.end(), uint8_t{1});
  for (const auto& [name, values] : scores) {
    SHIFTREC_ASSERT(values.size() == labels.size(), "one score per target");
    std::vector<double> selected;
    for (size_t t : kept) selected.push_back(values[t]);
    out.by_score[name] = {roc_auc(selected, positive), average_precision(selected, positive),
                          roc_curve(selected, positive)};
  }
  return out;
}

}  // namespace shiftrec
