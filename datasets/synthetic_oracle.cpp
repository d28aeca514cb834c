#include "datasets/synthetic_oracle.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace shiftrec {

std::string oracle_name(OracleKnowledge knowledge) {
  switch (knowledge) {
    case OracleKnowledge::kFilterGraph:
      return "items + shift graph, no gaps";
    case OracleKnowledge::kFilterGapNoGraph:
      return "items + gaps, no shift graph";
    case OracleKnowledge::kFilterGapGraph:
      return "items + gaps + shift graph";
    case OracleKnowledge::kCurrentRegime:
      return "true current interests";
  }
  return "";
}

namespace {

// The replacement distribution of the generator when `dropped` leaves `set`: along the
// shift graph with probability graph_follow (when a neighbour is inactive), else uniform
// over the inactive categories. -> [categories]
std::vector<double> replacement(const SyntheticData& data, const std::vector<int32_t>& set,
                                int32_t dropped, double graph_follow, int64_t n_categories) {
  const auto active = [&](int32_t c) { return std::find(set.begin(), set.end(), c) != set.end(); };
  std::vector<double> q(n_categories, 0.0);
  double graph_total = 0.0;
  const int64_t degree = data.graph_degree;
  for (int64_t e = 0; e < degree; ++e) {
    if (!active(data.graph_targets[dropped * degree + e]))
      graph_total += data.graph_weights[dropped * degree + e];
  }
  const double uniform_share = graph_total > 0.0 ? 1.0 - graph_follow : 1.0;
  for (int64_t e = 0; e < degree && graph_total > 0.0; ++e) {
    const int32_t target = data.graph_targets[dropped * degree + e];
    if (!active(target))
      q[target] += graph_follow * data.graph_weights[dropped * degree + e] / graph_total;
  }
  const double inactive = static_cast<double>(n_categories - static_cast<int64_t>(set.size()));
  for (int32_t c = 0; c < n_categories; ++c) {
    if (!active(c)) q[c] += uniform_share / inactive;
  }
  return q;
}

}  // namespace

SyntheticOracle::SyntheticOracle(const SyntheticData& data, const SyntheticOptions& options)
    : data_(data), options_(options) {
  const int64_t n_categories = data.interactions.n_categories, k = data.n_active;
  // Every sorted k-subset of the categories, in lexicographic order.
  double count = 1.0;
  for (int64_t j = 0; j < k; ++j)
    count = count * static_cast<double>(n_categories - j) / static_cast<double>(j + 1);
  if (count > 50000.0) {
    throw UserError("the synthetic oracle enumerates every set of active interests: " +
                    std::to_string(static_cast<int64_t>(count)) + " sets is more than 50,000");
  }
  std::map<std::vector<int32_t>, int32_t> index;
  std::vector<int32_t> set(k);
  for (int64_t j = 0; j < k; ++j) set[j] = static_cast<int32_t>(j);
  while (true) {
    index.emplace(set, static_cast<int32_t>(n_sets_++));
    sets_.insert(sets_.end(), set.begin(), set.end());
    int64_t j = k - 1;
    while (j >= 0 && set[j] == n_categories - k + j) --j;
    if (j < 0) break;
    ++set[j];
    for (int64_t l = j + 1; l < k; ++l) set[l] = set[l - 1] + 1;
  }
  for (const bool graph : {true, false}) {
    auto& offsets = graph ? move_offsets_graph_ : move_offsets_uniform_;
    auto& moves = graph ? moves_graph_ : moves_uniform_;
    offsets.assign(1, 0);
    for (int64_t s = 0; s < n_sets_; ++s) {
      const std::vector<int32_t> from(sets_.begin() + s * k, sets_.begin() + (s + 1) * k);
      for (int64_t slot = 0; slot < k; ++slot) {
        const auto q =
            replacement(data, from, from[slot], graph ? options.graph_follow : 0.0, n_categories);
        for (int32_t c = 0; c < n_categories; ++c) {
          if (q[c] == 0.0) continue;
          std::vector<int32_t> to = from;
          to[slot] = c;
          std::sort(to.begin(), to.end());
          moves.push_back({index.at(to), q[c] / static_cast<double>(k)});
        }
      }
      offsets.push_back(static_cast<int64_t>(moves.size()));
    }
  }
}

double SyntheticOracle::change_probability(double gap_seconds) const {
  // Exponential gaps: mean m within a regime, factor * m across a change.
  const double m = options_.mean_gap_seconds, factor = options_.shift_gap_factor;
  const double rate = options_.shift_rate;
  if (rate <= 0.0) return 0.0;
  if (rate >= 1.0) return 1.0;
  const double log_stay = std::log1p(-rate) - std::log(m) - gap_seconds / m;
  const double log_change = std::log(rate) - std::log(factor * m) - gap_seconds / (factor * m);
  return 1.0 / (1.0 + std::exp(log_stay - log_change));
}

std::vector<double> SyntheticOracle::advance(const std::vector<double>& belief, double change,
                                             bool graph) const {
  const auto& offsets = graph ? move_offsets_graph_ : move_offsets_uniform_;
  const auto& moves = graph ? moves_graph_ : moves_uniform_;
  std::vector<double> next(n_sets_);
  for (int64_t s = 0; s < n_sets_; ++s) next[s] = (1.0 - change) * belief[s];
  for (int64_t s = 0; s < n_sets_; ++s) {
    const double mass = change * belief[s];
    if (mass == 0.0) continue;
    for (int64_t m = offsets[s]; m < offsets[s + 1]; ++m)
      next[moves[m].to] += mass * moves[m].probability;
  }
  return next;
}

std::vector<double> SyntheticOracle::items_from_categories(
    const std::vector<double>& weights) const {
  const Interactions& d = data_.interactions;
  std::vector<double> out(d.n_items);
  for (int64_t i = 0; i < d.n_items; ++i) {
    out[i] = options_.noise / static_cast<double>(d.n_items) +
             (1.0 - options_.noise) * weights[d.category_ids[d.category_offsets[i]]] *
                 data_.item_in_category[i];
  }
  return out;
}

std::vector<double> SyntheticOracle::next_item_probabilities(int64_t row,
                                                             OracleKnowledge knowledge) const {
  const Interactions& d = data_.interactions;
  const int64_t k = data_.n_active;
  const double share = 1.0 / static_cast<double>(k);
  std::vector<double> weights(d.n_categories, 0.0);
  if (knowledge == OracleKnowledge::kCurrentRegime) {
    if (data_.active_interests.size() != static_cast<size_t>(d.size() * k)) {
      throw UserError(
          "the true-interests oracle needs data generated with record_active_interests");
    }
    for (int64_t a = 0; a < k; ++a) weights[data_.active_interests[row * k + a]] += share;
    return items_from_categories(weights);
  }
  const bool use_gaps = knowledge != OracleKnowledge::kFilterGraph;
  const bool graph = knowledge != OracleKnowledge::kFilterGapNoGraph;
  const auto change_at = [&](int64_t r) {
    return use_gaps ? change_probability(static_cast<double>(d.time[r] - d.time[r - 1]))
                    : options_.shift_rate;
  };
  const int64_t first = d.user_offsets[d.user[row]];
  const double noise = options_.noise / static_cast<double>(d.n_items);
  std::vector<double> belief(n_sets_, 1.0 / static_cast<double>(n_sets_));  // the first draw
  for (int64_t r = first; r < row; ++r) {
    if (r > first) belief = advance(belief, change_at(r), graph);
    const int32_t item = d.item[r];
    const int32_t category = d.category_ids[d.category_offsets[item]];
    const double in_set = noise + (1.0 - options_.noise) * share * data_.item_in_category[item];
    double total = 0.0;
    for (int64_t s = 0; s < n_sets_; ++s) {
      const int32_t* set = &sets_[s * k];
      belief[s] *= std::find(set, set + k, category) != set + k ? in_set : noise;
      total += belief[s];
    }
    for (double& b : belief) b /= total;
  }
  if (row > first) belief = advance(belief, change_at(row), graph);
  for (int64_t s = 0; s < n_sets_; ++s) {
    for (int64_t a = 0; a < k; ++a) weights[sets_[s * k + a]] += share * belief[s];
  }
  return items_from_categories(weights);
}

}  // namespace shiftrec
