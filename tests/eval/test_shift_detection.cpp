#include "eval/shift_detection.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <random>
#include <set>

#include "datasets/synthetic.h"
#include "eval/window_mass.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

double brute_force_auc(const std::vector<double>& s, const std::vector<uint8_t>& y) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = 0; j < s.size(); ++j) {
      if (!y[i] || y[j]) continue;
      pairs += 1;
      wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
    }
  }
  return wins / pairs;
}

// Average precision from its definition: every distinct score is a threshold (predict
// positive when score >= it), taken from the highest; sum of recall gained x precision.
double brute_force_ap(const std::vector<double>& s, const std::vector<uint8_t>& y) {
  std::set<double, std::greater<double>> thresholds(s.begin(), s.end());
  double positives = 0;
  for (auto v : y) positives += v;
  double ap = 0, previous_recall = 0;
  for (double threshold : thresholds) {
    double tp = 0, predicted = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] >= threshold) {
        predicted += 1;
        tp += y[i];
      }
    }
    ap += (tp / positives - previous_recall) * (tp / predicted);
    previous_recall = tp / positives;
  }
  return ap;
}

TEST(ShiftDetection, AucsMatchBruteForceOnRandomScoresWithTies) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> scores;
    std::vector<uint8_t> labels;
    for (int i = 0; i < 60; ++i) {
      scores.push_back(static_cast<double>(rng() % 7) / 7.0);  // few values: many ties
      labels.push_back(rng() % 3 == 0 ? 1 : 0);
    }
    labels[0] = 1;
    labels[1] = 0;
    EXPECT_NEAR(roc_auc(scores, labels), brute_force_auc(scores, labels), 1e-12);
    EXPECT_NEAR(average_precision(scores, labels), brute_force_ap(scores, labels), 1e-12);
  }
  // Perfect, reversed and constant scorers.
  EXPECT_DOUBLE_EQ(roc_auc({0.9, 0.8, 0.1}, {1, 1, 0}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.9}, {1, 1, 0}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5, 0.5}, {1, 0, 0}), 0.5);
  EXPECT_DOUBLE_EQ(average_precision({0.5, 0.5, 0.5, 0.5}, {1, 0, 0, 0}), 0.25);  // the base rate
  EXPECT_TRUE(std::isnan(roc_auc({0.1, 0.2}, {1, 1})));
}

TEST(ShiftDetection, BaselinesOnHandLabelledSequences) {
  const Interactions d = testing::hand_labelled();
  // Window 1. User 0 positions 1..5: NOVEL NOVEL REPEAT REPEAT UNLABELLED;
  // user 1 positions 1..3: NOVEL REVISIT IN-WINDOW (position 0 never counts).
  EvalTargets t;
  for (auto [u, h] :
       std::vector<std::pair<int32_t, int32_t>>{{0, 1}, {0, 5}, {0, 6}, {1, 3}, {1, 4}}) {
    t.user.push_back(u);
    t.position.push_back(std::min(h, static_cast<int32_t>(d.sequence_length(u)) - 1));
    t.item.push_back(0);
    t.history_length.push_back(h);
  }
  const auto rate = past_shift_rate(d, t, 1, 0.9);
  // No labelled past -> 0; 2 shifts of 4 labelled; the UNLABELLED one does not count;
  // 2 of 2; 2 of 3.
  EXPECT_EQ(rate, (std::vector<double>{0.0, 0.5, 0.5, 1.0, 2.0 / 3.0}));
  Interactions timed = d;
  for (size_t row = 0; row < timed.time.size(); ++row)
    timed.time[row] = static_cast<int64_t>(row * row);
  EvalTargets gap_targets = t;
  gap_targets.position = {3, 5, 1, 2, 3};  // user 0 rows 3, 5, 1; user 1 rows 8, 9
  EXPECT_EQ(time_since_previous(timed, gap_targets), (std::vector<double>{5, 9, 1, 15, 17}));
  EXPECT_TRUE(timed.has_timestamps());
  Interactions positions_only = d;
  for (int32_t u = 0; u < d.n_users; ++u) {
    for (int64_t row = d.user_offsets[u]; row < d.user_offsets[u + 1]; ++row) {
      positions_only.time[row] = row - d.user_offsets[u];
    }
  }
  EXPECT_FALSE(positions_only.has_timestamps());
}

TEST(ShiftDetection, UnlabelledTargetsAreLeftOut) {
  const ShiftDetection detection = score_shift_detection(
      {{"s", {0.9, 0.1, 0.2, 0.8}}}, {ShiftLabel::kNovel, ShiftLabel::kInWindow,
                                      ShiftLabel::kUnlabelled, ShiftLabel::kRepeatItem});
  EXPECT_EQ(detection.targets, 3);
  EXPECT_EQ(detection.shifts, 1);
  EXPECT_DOUBLE_EQ(detection.by_score.at("s").roc_auc, 1.0);
}

TEST(WindowMass, SoftmaxMassOutsideTheWindowsCategories) {
  const Interactions d = testing::hand_labelled();
  // Scores are log-probabilities, so the softmax gives these back.
  const std::vector<float> p = {0.1f, 0.2f, 0.3f, 0.25f, 0.15f};
  auto scores = at::tensor(p).log().unsqueeze(0).repeat({2, 1});
  // User 1's first two items i0 {A}, i1 {B}. Window 1 -> {B}: outside are i0 {A}, i2 {C},
  // i3 {A, C}; i4 (ignored ROOT only) counts nowhere. Window 2 -> {A, B}: only i2 {C}.
  const auto one = OutsideWindowMass(d, 1, 0.9)(scores, {1, 1}, {2, 1});
  EXPECT_NEAR(one[0], 0.1 + 0.3 + 0.25, 1e-6);
  EXPECT_NEAR(one[1], 0.2 + 0.3, 1e-6);  // history i0 {A}: outside i1 {B}, i2 {C}
  const auto two = OutsideWindowMass(d, 2, 0.9)(scores, {1, 1}, {2, 1});
  EXPECT_NEAR(two[0], 0.3, 1e-6);
}

// The same store and scores: user 1's history i0 i1 with window 1 has i0, i2, i3 outside;
// with history i0 alone (window {A}) i1 and i2 are outside (i3 carries A).
TEST(WindowMass, CountsTheOutsideItemsScoringAtLeastAnItemLeavingTheItemItselfOut) {
  const Interactions d = testing::hand_labelled();
  const std::vector<float> p = {0.1f, 0.2f, 0.3f, 0.25f, 0.15f};
  auto scores = at::tensor(p).log().unsqueeze(0).repeat({2, 1});
  const auto reading =
      OutsideWindowMass(d, 1, 0.9).read(scores, {1, 1}, {2, 1}, {0, 0, 0, 0, 1}, {0, 3, 1, 4, 2});
  // i0 (0.1): i2, i3 above, i0 itself left out; i3 (0.25): i2; i1 (0.2, inside): i2, i3;
  // i4 (0.15, no category): i2, i3; row 1, i2 (0.3): nothing above it.
  EXPECT_EQ(reading.outside_above, (std::vector<int64_t>{2, 1, 2, 2, 0}));
  EXPECT_NEAR(reading.mass[0], 0.1 + 0.3 + 0.25, 1e-6);
  EXPECT_NEAR(reading.mass[1], 0.2 + 0.3, 1e-6);
}

// The row-by-row reading of CPU scores against the mask it replaces, on synthetic histories
// with tied scores (whole numbers from a small range) and items of every kind as targets.
TEST(WindowMass, RowByRowReadingAgreesWithTheMask) {
  SyntheticOptions options = testing::tiny_synthetic_options();
  options.users = 300;  // chunks of 64 rows split among threads, rows of whole vector blocks
  options.items = 150;
  const Interactions d = generate_synthetic(options).interactions;
  const OutsideWindowMass window(d, 3, 0.9);
  std::mt19937 rng(3);
  std::vector<int32_t> user;
  std::vector<int64_t> length, pair_row, pair_item;
  for (int32_t u = 0; u < d.n_users; ++u) {
    const int64_t n = d.user_offsets[u + 1] - d.user_offsets[u];
    user.push_back(u);
    length.push_back(1 + static_cast<int64_t>(rng() % n));
    for (int k = 0; k < 3; ++k) {
      pair_row.push_back(u);
      pair_item.push_back(static_cast<int64_t>(rng() % d.n_items));
    }
  }
  const auto scores = at::randint(0, 6, {d.n_users, d.n_items}, at::kFloat);
  const auto reading = window.read(scores, user, length, pair_row, pair_item);
  const at::Tensor outside = window.outside_mask(user, length);
  const std::vector<double> expected_mass = OutsideWindowMass::mass(scores, outside);
  auto s = scores.accessor<float, 2>();
  auto o = outside.accessor<float, 2>();
  for (size_t q = 0; q < user.size(); ++q) EXPECT_NEAR(reading.mass[q], expected_mass[q], 1e-6);
  for (size_t p = 0; p < pair_row.size(); ++p) {
    const int64_t r = pair_row[p], item = pair_item[p];
    int64_t above = 0;
    for (int64_t i = 0; i < d.n_items; ++i)
      above += i != item && o[r][i] > 0 && s[r][i] >= s[r][item];
    EXPECT_EQ(reading.outside_above[p], above) << "pair " << p;
  }
}

// Histories given as item ids (recommend's requests): the masses and the asked items' flags
// against the mask of the same histories.
TEST(WindowMass, HistoriesGivenAsItemsReadAsTheirMask) {
  SyntheticOptions options = testing::tiny_synthetic_options();
  options.users = 100;
  options.items = 150;
  const Interactions d = generate_synthetic(options).interactions;
  const OutsideWindowMass window(d, 3, 0.9);
  std::mt19937 rng(5);
  std::vector<std::vector<int32_t>> histories;
  const int64_t k = 7;
  std::vector<int32_t> asked;
  for (int32_t q = 0; q < 70; ++q) {
    std::vector<int32_t> history(rng() % 6);  // empty histories too
    for (auto& item : history) item = static_cast<int32_t>(rng() % d.n_items);
    histories.push_back(history);
    for (int64_t j = 0; j < k; ++j) asked.push_back(static_cast<int32_t>(rng() % d.n_items));
  }
  const auto scores = at::randn({70, d.n_items});
  const at::Tensor outside = window.outside_mask(histories);
  const std::vector<double> expected = OutsideWindowMass::mass(scores, outside);
  const std::vector<double> masses = window.masses(scores, histories);
  const std::vector<uint8_t> flags = window.outside_items(histories, asked.data(), k);
  auto o = outside.accessor<float, 2>();
  int64_t outside_count = 0;
  for (size_t q = 0; q < histories.size(); ++q) {
    EXPECT_NEAR(masses[q], expected[q], 1e-6) << "query " << q;
    for (int64_t j = 0; j < k; ++j) {
      const int32_t item = asked[q * k + j];
      EXPECT_EQ(flags[q * k + j], o[q][item] > 0 ? 1 : 0) << "query " << q << " item " << item;
      outside_count += flags[q * k + j];
    }
  }
  EXPECT_GT(outside_count, 0);  // both kinds asked
  EXPECT_LT(outside_count, static_cast<int64_t>(asked.size()));
}

// By hand: scores 0.9 (+), 0.8 (-), 0.8 (+), 0.1 (-). Groups: {0.9}: TPR 1/2; {0.8, 0.8}: one
// of each, FPR 1/2, TPR 1; {0.1}: FPR 1. The trapezoids (ties as a diagonal) sum to ROC-AUC.
TEST(ShiftDetection, TheRocCurveStepsThroughGroupsOfEqualScoresAndItsAreaIsTheAuc) {
  const std::vector<double> scores = {0.9, 0.8, 0.8, 0.1};
  const std::vector<uint8_t> positive = {1, 0, 1, 0};
  const auto curve = roc_curve(scores, positive);
  const std::vector<std::array<double, 2>> expected = {
      {0.0, 0.0}, {0.0, 0.5}, {0.5, 1.0}, {1.0, 1.0}};
  EXPECT_EQ(curve, expected);
  double area = 0.0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i][0] - curve[i - 1][0]) * (curve[i][1] + curve[i - 1][1]) / 2;
  }
  EXPECT_NEAR(area, roc_auc(scores, positive), 1e-12);  // 0.875
  EXPECT_NEAR(area, 0.875, 1e-12);
  // Thinned to 3 points: the first, the middle and the last.
  const std::vector<double> many = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  const std::vector<uint8_t> labels = {0, 1, 0, 1, 0, 1};
  const auto thin = roc_curve(many, labels, 3);
  ASSERT_EQ(thin.size(), 3u);
  EXPECT_EQ(thin.front(), (std::array<double, 2>{0.0, 0.0}));
  EXPECT_EQ(thin.back(), (std::array<double, 2>{1.0, 1.0}));
  EXPECT_TRUE(roc_curve({0.5, 0.7}, {1, 1}).empty());  // no negatives: no curve
}

}  // namespace
}  // namespace shiftrec
