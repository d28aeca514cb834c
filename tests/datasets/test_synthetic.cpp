#include "datasets/synthetic.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/config.h"
#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

SyntheticOptions medium_options() {
  SyntheticOptions o;  // the defaults, at 3000 users: ~75k interactions
  o.users = 3000;
  o.seed = 11;
  return o;
}

TEST(Synthetic, DeterministicForASeed) {
  const SyntheticOptions o = testing::tiny_synthetic_options();
  const SyntheticData a = generate_synthetic(o);
  const SyntheticData b = generate_synthetic(o);
  EXPECT_EQ(a.interactions.item, b.interactions.item);
  EXPECT_EQ(a.interactions.time, b.interactions.time);
  EXPECT_EQ(a.regime, b.regime);
  EXPECT_EQ(a.graph_targets, b.graph_targets);
  SyntheticOptions other = o;
  other.seed = o.seed + 1;
  EXPECT_NE(generate_synthetic(other).interactions.item, a.interactions.item);
}

TEST(Synthetic, StoreIsValidAndLengthsInRange) {
  const SyntheticOptions o = testing::tiny_synthetic_options();
  const SyntheticData data = generate_synthetic(o);
  data.interactions.validate();
  EXPECT_EQ(data.interactions.n_users, o.users);
  for (int64_t u = 0; u < o.users; ++u) {
    EXPECT_GE(data.interactions.sequence_length(u), o.min_length);
    EXPECT_LE(data.interactions.sequence_length(u), o.max_length);
  }
  // One category per item, every category used.
  std::set<int32_t> used(data.interactions.category_ids.begin(),
                         data.interactions.category_ids.end());
  EXPECT_EQ(static_cast<int64_t>(used.size()), o.categories);
}

TEST(Synthetic, ObservedShiftRateMatchesConfigured) {
  const SyntheticOptions o = medium_options();
  const SyntheticData data = generate_synthetic(o);
  // A change point can follow every interaction but each user's last.
  const double opportunities = static_cast<double>(data.interactions.size() - o.users);
  const double observed = static_cast<double>(data.change_points.size()) / opportunities;
  // ~72k Bernoulli(0.08) trials: standard error 0.001; 0.01 is a 10-sigma tolerance that
  // still catches an off-by-one regime (0.0 or 1/mean length).
  EXPECT_NEAR(observed, o.shift_rate, 0.01);
  // Change points agree with the regime labels.
  for (const ChangePoint& c : data.change_points) {
    const int64_t row = data.interactions.user_offsets[c.user] + c.position;
    ASSERT_GT(c.position, 0);
    EXPECT_EQ(data.regime[row], data.regime[row - 1] + 1);
  }
}

TEST(Synthetic, NewInterestsFollowTheSharedShiftGraph) {
  const SyntheticOptions o = medium_options();
  const SyntheticData data = generate_synthetic(o);
  int64_t followed = 0;
  for (const ChangePoint& c : data.change_points) {
    bool is_neighbour = false;
    for (int64_t e = 0; e < data.graph_degree; ++e) {
      is_neighbour |=
          data.graph_targets[c.dropped_category * data.graph_degree + e] == c.new_category;
    }
    if (c.followed_graph) EXPECT_TRUE(is_neighbour);
    followed += is_neighbour ? 1 : 0;
  }
  const double share =
      static_cast<double>(followed) / static_cast<double>(data.change_points.size());
  // graph_follow = 0.9, minus draws whose neighbours were all active, plus uniform draws that
  // land on a neighbour by chance: the share stays within 0.05 of 0.9.
  EXPECT_NEAR(share, o.graph_follow, 0.05);
}

TEST(Synthetic, RegimesConcentrateOnTheNewInterest) {
  const SyntheticOptions o = medium_options();
  const SyntheticData data = generate_synthetic(o);
  const Interactions& d = data.interactions;
  // Within the regime that starts at a change point, the new category should take its share
  // (1 - noise) / active_interests = 0.475 of the interactions; uniform picking would give
  // 1 / categories = 0.025.
  int64_t in_new = 0, total = 0;
  for (const ChangePoint& c : data.change_points) {
    const int64_t begin = d.user_offsets[c.user] + c.position;
    for (int64_t row = begin;
         row < d.user_offsets[c.user + 1] && data.regime[row] == data.regime[begin]; ++row) {
      ++total;
      in_new += d.category_ids[d.category_offsets[d.item[row]]] == c.new_category ? 1 : 0;
    }
  }
  const double share = static_cast<double>(in_new) / static_cast<double>(total);
  EXPECT_NEAR(share, (1.0 - o.noise) / static_cast<double>(o.active_interests), 0.03);
}

TEST(Synthetic, SavesPlainFiles) {
  testing::TempDir dir;
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  save_synthetic(data, dir.file("out"));
  const std::string interactions = testing::read_text(dir.file("out/interactions.csv"));
  EXPECT_EQ(interactions.rfind("user,item,timestamp,regime\n", 0), 0u);
  EXPECT_EQ(std::count(interactions.begin(), interactions.end(), '\n'),
            data.interactions.size() + 1);
  const std::string change_points = testing::read_text(dir.file("out/change_points.csv"));
  EXPECT_EQ(std::count(change_points.begin(), change_points.end(), '\n'),
            static_cast<int64_t>(data.change_points.size()) + 1);
  const std::string categories = testing::read_text(dir.file("out/item_categories.csv"));
  EXPECT_EQ(std::count(categories.begin(), categories.end(), '\n'), data.interactions.n_items + 1);
  EXPECT_FALSE(testing::read_text(dir.file("out/shift_graph.csv")).empty());
}

TEST(Synthetic, ConfigCrossFieldErrors) {
  Config config = Config::from_string("[s]\ncategories = 2\nactive_interests = 2\n", "exp.toml");
  try {
    SyntheticOptions::from_config(config.section("s"));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.location(), "exp.toml:2:14");
    EXPECT_NE(std::string(e.what()).find("active_interests + 1 = 3"), std::string::npos);
  }
}

}  // namespace
}  // namespace shiftrec
