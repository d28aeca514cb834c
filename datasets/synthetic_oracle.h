// The ceiling of next-item prediction on the planted-shift data: exact next-item
// probabilities from the generator's own rules (datasets/synthetic.h).
//
// A model can at best learn the shift graph, the item popularity and the timing rule, and
// infer each user's active interests from the items it has seen. The filtering oracles are
// handed the rules perfectly and infer the interests exactly: a forward pass (hidden Markov
// model) over every possible set of active interests, updated with each observed item, so
// their prediction is the Bayes-optimal one for what they are allowed to see. Their Recall
// on SHIFT targets bounds what any model reaches, and the differences show which knowledge
// matters:
//   kFilterGapGraph     items, gaps (a change comes with a shift_gap_factor times longer gap:
//                       each step's change probability is the posterior given its gap,
//                       including the gap to the target) and the shift graph
//   kFilterGraph        items and the shift graph, no gaps (change probability shift_rate)
//   kFilterGapNoGraph   items and gaps; new interests treated as uniform (a predictor that
//                       knows when but not where interests move)
//   kCurrentRegime      the true active interests at the target (knows whether and where it
//                       moved, even before any item shows it): an upper bound nobody reaches
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/synthetic.h"

namespace shiftrec {

enum class OracleKnowledge { kFilterGraph, kFilterGapNoGraph, kFilterGapGraph, kCurrentRegime };

std::string oracle_name(OracleKnowledge knowledge);

class SyntheticOracle {
 public:
  // `data` must come from generate_synthetic(options) (with record_active_interests for
  // kCurrentRegime) and outlive the oracle. Throws UserError when the interest sets are too
  // many to enumerate (more than 50,000).
  SyntheticOracle(const SyntheticData& data, const SyntheticOptions& options);

  // Probabilities of every item for the interaction at global row `row` of
  // data.interactions, from the user's earlier interactions -> [n_items], sum 1.
  std::vector<double> next_item_probabilities(int64_t row, OracleKnowledge knowledge) const;
  // P(a regime change before an interaction | the gap since the previous one).
  double change_probability(double gap_seconds) const;

 private:
  struct Move {  // a regime change from one interest set to another, with its probability
    int32_t to;
    double probability;
  };
  // Category weights [categories] of a belief over interest sets -> item probabilities.
  std::vector<double> items_from_categories(const std::vector<double>& category_weights) const;
  // One step: with probability `change` every set moves along its moves.
  std::vector<double> advance(const std::vector<double>& belief, double change, bool graph) const;

  const SyntheticData& data_;
  SyntheticOptions options_;
  std::vector<int32_t> sets_;  // [n_sets * n_active] sorted interest sets
  int64_t n_sets_ = 0;
  // Moves per set, CSR: [offsets[s], offsets[s + 1]); along the shift graph or uniform.
  std::vector<int64_t> move_offsets_graph_, move_offsets_uniform_;
  std::vector<Move> moves_graph_, moves_uniform_;
};

}  // namespace shiftrec
