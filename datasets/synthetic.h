// Synthetic interactions with planted interest shifts (REFERENCE.md, "Synthetic data").
//
// Items belong to categories (equal-sized, assigned by a seeded shuffle). Categories are
// linked by a global shift graph shared by all users: each category has `graph_degree`
// weighted out-edges. Each user starts with `active_interests` distinct categories and, after
// every interaction, with probability `shift_rate` enters a new regime: one active interest
// (chosen uniformly) is dropped and replaced by a new category, drawn with probability
// `graph_follow` from the dropped category's shift-graph neighbours (by edge weight), and
// otherwise uniformly from the inactive categories. Within a regime each interaction picks an
// active category uniformly and an item in it by a power law over the category's items
// (exponent `item_power_law`); with probability `noise` it is a uniform random item instead.
// Timestamps advance by exponential gaps (mean `mean_gap_seconds`), `shift_gap_factor` times
// longer across a regime change.
//
// Every user has its own generator derived from (seed, user), so the output is a pure
// function of the options, and the cost is linear in the number of interactions (1,000,000
// users need no code change, only memory: about 17 bytes per interaction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/interactions.h"

namespace shiftrec {

class ConfigSection;

struct SyntheticOptions {
  int64_t users = 2000;
  int64_t items = 1000;
  int64_t categories = 40;
  int64_t graph_degree = 2;
  int64_t active_interests = 2;
  int64_t min_length = 10;
  int64_t max_length = 40;
  double shift_rate = 0.08;
  double graph_follow = 0.9;
  double item_power_law = 1.0;
  double noise = 0.05;
  double mean_gap_seconds = 3600.0;
  double shift_gap_factor = 5.0;
  uint64_t seed = 42;  // data.synthetic.seed: the data's own, never the run seed
  // Not a config key: also record every interaction's active interests (for the oracle in
  // synthetic_oracle.h; active_interests ints per interaction).
  bool record_active_interests = false;

  // Reads every option from `section` (keys as the field names), validating ranges and the
  // cross-field rules (categories >= active_interests + 1, graph_degree < categories, ...).
  static SyntheticOptions from_config(ConfigSection section);
};

// One planted regime change: user `user`'s interaction at `position` (0-based within the
// user's sequence) is the first of a new regime.
struct ChangePoint {
  int32_t user;
  int32_t position;
  int32_t dropped_category;
  int32_t new_category;
  bool followed_graph;  // the new category was drawn from the shift graph
};

struct SyntheticData {
  Interactions interactions;
  std::vector<int32_t> regime;             // per interaction (row-aligned), 0-based within the user
  std::vector<ChangePoint> change_points;  // sorted by (user, position)
  // With record_active_interests: the user's active categories when each interaction was
  // drawn, [size * active_interests] row-aligned (after the regime change at that row).
  int64_t n_active = 0;
  std::vector<int32_t> active_interests;
  // [items] the probability of drawing each item given its category (the power law).
  std::vector<double> item_in_category;
  // Shift graph: out-edges of category c are graph_targets/graph_weights
  // [c * graph_degree, (c + 1) * graph_degree).
  int64_t graph_degree = 0;
  std::vector<int32_t> graph_targets;
  std::vector<double> graph_weights;
};

SyntheticData generate_synthetic(const SyntheticOptions& options);

// Writes the set as plain files for other tools, each written atomically:
//   interactions.csv     user,item,timestamp,regime
//   item_categories.csv  item,category
//   change_points.csv    user,position,timestamp,dropped_category,new_category,followed_graph
//   shift_graph.csv      from,to,weight
// `directory` is created when missing.
void save_synthetic(const SyntheticData& data, const std::string& directory);

}  // namespace shiftrec
