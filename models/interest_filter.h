// A hidden Markov model of a user's active interests, fitted to the training sequences: the
// "model of active interests" the shift study (experiments/shift_study/README.md) found
// missing. No tensors and no gradients: counts, expectation-maximisation and a forward filter.
//
// The hidden state is the set of `active` categories a user draws from now (every set of that
// size: C choose K of them). Before each interaction the set may change, with a probability
// that depends on the gap since the previous interaction (one value per gap bucket,
// datasets/time_gaps.h; bucket 0 — unknown, or data without timestamps — has its own): one
// active category, chosen uniformly, is dropped and a category not active is added, with
// probability proportional to move(dropped -> added). An interaction then picks an active
// category uniformly and an item in it with probability q(item | its category), or, with
// probability `noise`, any item uniformly:
//   P(item x | set S) = (1 - noise) [c(x) in S] q(x) / K + noise / n_items.
// Each item has one category (an item with several uses its first; an item with none is
// explained by the noise alone).
//
// fit() estimates every law — change probability per gap bucket, the move matrix, the noise
// share, q, the first set — by Baum-Welch (expectation-maximisation over the hidden sets,
// exact forward-backward), starting from laws that know nothing of the data's structure:
// change 0.1 everywhere, uniform moves, noise 0.1, q uniform within each category. predict() runs
// the forward filter over a history and gives the next item's distribution: the Bayes-optimal
// prediction under the fitted laws. With the generator's own laws this is the synthetic data's
// filtering oracle (datasets/synthetic_oracle.h); fitted, it is what a model of this form can
// learn.
//
// Cost: S = C choose K sets, each with K (C - K) moves; a step costs O(S K (C - K)) — about
// 60 k multiply-adds for 40 categories and K = 2. The constructor refuses more than 20 M moves.
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

class InterestFilter {
 public:
  // One user's sequence, oldest first: item ids (0-based) and, aligned, the gap bucket from
  // each interaction to the next one (the last one's is unused in fitting).
  struct Sequence {
    std::vector<int32_t> items;
    std::vector<int64_t> gaps_after;
  };

  // item_category: [n_items] the category (0-based, < n_categories) of each item, -1 none.
  // Throws UserError when active is not in [1, n_categories - 1] or the sets and their moves
  // are too many.
  InterestFilter(std::vector<int32_t> item_category, int64_t n_categories, int64_t active);

  // Baum-Welch over `sequences` for `iterations` passes from the starting laws (0: keep them;
  // an earlier fit is forgotten). Returns the data's log-likelihood under the laws each pass
  // started from (non-decreasing). A SIGINT / SIGTERM stops it within a block of sequences
  // (core/interrupt.h).
  std::vector<double> fit(const std::vector<Sequence>& sequences, int64_t iterations);

  // The next item's distribution after the history items[0..length) with gaps_after (the last
  // entry: the gap from the last item to the predicted one) -> out[n_items], sum 1.
  void predict(const int32_t* items, const int64_t* gaps_after, int64_t length, float* out) const;

  // Every law, to store the fitted ones and restore them without fitting again.
  struct Laws {
    std::vector<double> change;   // [kGapBuckets] P(change | gap bucket)
    std::vector<double> move;     // [C * C] unnormalised move weights, diagonal 0
    double noise = 0.1;           // the share of items drawn uniformly
    std::vector<double> q;        // [n_items] P(item | its category)
    std::vector<double> initial;  // [S] the first set's distribution
  };
  Laws laws() const { return {change_, move_, noise_, q_, initial_}; }
  // Throws UserError when a law's size is not this filter's (another dataset or `active`) or
  // a value is not a probability (a move weight: not finite and non-negative).
  void set_laws(Laws laws);

  // The fitted laws, one at a time.
  double change_probability(int64_t gap_bucket) const { return change_[gap_bucket]; }
  // P(added = n | dropped = d) when no category but d is active (the move row normalised).
  double move_probability(int32_t dropped, int32_t added) const;
  double noise() const { return noise_; }
  double item_in_category(int32_t item) const { return q_[item]; }
  int64_t n_sets() const { return n_sets_; }

 private:
  // Work space of one forward-backward pass.
  struct Accumulators;

  void reset_laws();     // the starting laws (before any fit)
  void refresh_moves();  // move probabilities from move_
  double emission(int32_t item, int64_t set) const;
  // belief [S] times each set's probability of `item`, normalised; returns the normaliser,
  // P(item | the belief before).
  double absorb(std::vector<double>& belief, int32_t item) const;
  // belief [S] -> prior of the next step [S] after a possible change with probability p.
  void advance(const std::vector<double>& belief, double p, std::vector<double>& prior) const;
  // One sequence's E-step into `acc`; returns its log-likelihood.
  double expect(const Sequence& sequence, Accumulators& acc) const;

  std::vector<int32_t> item_category_;
  int64_t n_items_;
  int64_t n_categories_;
  int64_t active_;
  int64_t n_sets_ = 0;
  std::vector<int32_t> sets_;     // [S * K] sorted members
  std::vector<uint8_t> member_;   // [S * C] 1 when the category is in the set
  int64_t moves_per_set_ = 0;     // K (C - K)
  std::vector<int32_t> move_to_;  // [S * moves_per_set] the set after the move
  std::vector<int32_t> move_dropped_, move_added_;
  // [S * moves_per_set] (1/K) move(d, n) / move(d, .) over the categories not in the set
  std::vector<double> move_probability_;

  std::vector<double> change_;  // [kGapBuckets]
  std::vector<double> move_;    // [C * C] unnormalised, diagonal 0
  double noise_ = 0.1;
  std::vector<double> q_;        // [n_items]
  std::vector<double> initial_;  // [S]
};

}  // namespace shiftrec
