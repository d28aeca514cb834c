#include "datasets/synthetic_oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

SyntheticOptions recorded_options(int64_t users) {
  SyntheticOptions o = testing::tiny_synthetic_options();
  o.users = users;
  o.record_active_interests = true;
  return o;
}

bool holds(const int32_t* active, int64_t n, int32_t c) {
  return std::find(active, active + n, c) != active + n;
}

TEST(SyntheticOracle, RecordedInterestsChangeExactlyAtThePlantedChangePoints) {
  const SyntheticOptions o = recorded_options(50);
  const SyntheticData data = generate_synthetic(o);
  const Interactions& d = data.interactions;
  ASSERT_EQ(data.active_interests.size(), static_cast<size_t>(d.size() * o.active_interests));
  size_t next_change = 0;
  for (int64_t u = 0; u < d.n_users; ++u) {
    for (int64_t row = d.user_offsets[u] + 1; row < d.user_offsets[u + 1]; ++row) {
      const int32_t* before = &data.active_interests[(row - 1) * o.active_interests];
      const int32_t* now = &data.active_interests[row * o.active_interests];
      const bool changed = !std::equal(before, before + o.active_interests, now);
      const bool planted = next_change < data.change_points.size() &&
                           data.change_points[next_change].user == u &&
                           data.change_points[next_change].position == row - d.user_offsets[u];
      EXPECT_EQ(changed, planted) << "user " << u << " row " << row;
      if (planted) {
        const ChangePoint& point = data.change_points[next_change++];
        EXPECT_TRUE(holds(now, o.active_interests, point.new_category));
        EXPECT_FALSE(holds(now, o.active_interests, point.dropped_category));
      }
    }
  }
  EXPECT_EQ(next_change, data.change_points.size());
  // Without the option nothing is recorded, and the oracle says so.
  SyntheticOptions plain = o;
  plain.record_active_interests = false;
  const SyntheticData unrecorded = generate_synthetic(plain);
  EXPECT_TRUE(unrecorded.active_interests.empty());
  const SyntheticOracle oracle(unrecorded, plain);
  EXPECT_THROW(oracle.next_item_probabilities(1, OracleKnowledge::kCurrentRegime), UserError);
  EXPECT_NO_THROW(oracle.next_item_probabilities(1, OracleKnowledge::kFilterGapGraph));
}

TEST(SyntheticOracle, ChangePosteriorIsBayesOverTheTwoGapLaws) {
  const SyntheticOptions o = recorded_options(5);  // shift_rate 0.08, factor 5, mean 3600
  const SyntheticData data = generate_synthetic(o);
  const SyntheticOracle oracle(data, o);
  // Gap 0: densities 1/m and 1/(5m), so P = 0.08/5 / (0.08/5 + 0.92).
  EXPECT_NEAR(oracle.change_probability(0.0), 0.016 / (0.016 + 0.92), 1e-12);
  // At gap g the likelihood ratio is exp(0.8 g / m) / 5.
  const double g = 3.0 * 3600.0, ratio = std::exp(0.8 * 3.0) / 5.0;
  EXPECT_NEAR(oracle.change_probability(g), 0.08 * ratio / (0.08 * ratio + 0.92), 1e-12);
  EXPECT_GT(oracle.change_probability(10 * 3600.0), oracle.change_probability(g));
}

TEST(SyntheticOracle, WithoutNoiseOrChangesTwoSeenCategoriesAreTheWholeBelief) {
  SyntheticOptions o = recorded_options(20);
  o.noise = 0.0;
  o.shift_rate = 0.0;
  const SyntheticData data = generate_synthetic(o);
  const SyntheticOracle oracle(data, o);
  const Interactions& d = data.interactions;
  const auto category = [&](int64_t item) { return d.category_ids[d.category_offsets[item]]; };
  int checked = 0;
  for (int64_t u = 0; u < d.n_users; ++u) {
    // The first row by which both of the user's interests have shown up.
    const int64_t first = d.user_offsets[u], end = d.user_offsets[u + 1];
    int64_t row = first + 1;
    while (row < end && category(d.item[row - 1]) == category(d.item[first])) ++row;
    if (row >= end) continue;
    const int32_t a = category(d.item[first]), b = category(d.item[row - 1]);
    for (OracleKnowledge knowledge :
         {OracleKnowledge::kFilterGraph, OracleKnowledge::kFilterGapGraph}) {
      const auto p = oracle.next_item_probabilities(row, knowledge);
      for (int64_t i = 0; i < d.n_items; ++i) {
        const double expected =
            category(i) == a || category(i) == b ? 0.5 * data.item_in_category[i] : 0.0;
        EXPECT_NEAR(p[i], expected, 1e-12) << "user " << u << " item " << i;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(SyntheticOracle, EachOracleIsADistributionAndMoreKnowledgePredictsTheItemsBetter) {
  const SyntheticOptions o = recorded_options(400);
  const SyntheticData data = generate_synthetic(o);
  const SyntheticOracle oracle(data, o);
  const Interactions& d = data.interactions;
  const OracleKnowledge kinds[] = {OracleKnowledge::kCurrentRegime,
                                   OracleKnowledge::kFilterGapGraph, OracleKnowledge::kFilterGraph,
                                   OracleKnowledge::kFilterGapNoGraph};
  double log_likelihood[4] = {0, 0, 0, 0};
  for (int64_t u = 0; u < d.n_users; ++u) {
    for (int64_t row = d.user_offsets[u]; row < d.user_offsets[u + 1]; ++row) {
      for (int k = 0; k < 4; ++k) {
        const auto p = oracle.next_item_probabilities(row, kinds[k]);
        if (u == 0) EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-9);
        log_likelihood[k] += std::log(p[d.item[row]]);
      }
    }
  }
  // The items are drawn from the true current interests; the filters infer them from the
  // items, better with the gaps (when a change happens) and the graph (where it goes).
  EXPECT_GT(log_likelihood[0], log_likelihood[1]);
  EXPECT_GT(log_likelihood[1], log_likelihood[2]);
  EXPECT_GT(log_likelihood[1], log_likelihood[3]);
}

}  // namespace
}  // namespace shiftrec
