#include "models/interest_filter.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <ATen/Parallel.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "datasets/time_gaps.h"

namespace shiftrec {
namespace {

constexpr int64_t kMaxMoves = 20'000'000;
// Blocks of sequences summed apart in an E-step (the threads share them out).
constexpr int64_t kBlocks = 64;
// Pseudo-counts of the M-step: toward the overall change rate per gap bucket, toward uniform
// moves, items and first sets. Small against the counts of a real dataset; they keep every law
// positive where a bucket, a move or an item was never seen.
constexpr double kChangePseudoSteps = 10.0;
constexpr double kMovePseudoCount = 0.1;
constexpr double kItemPseudoCount = 0.1;
constexpr double kInitialPseudoCount = 0.1;

// C choose K, or -1 past `limit`.
int64_t choose(int64_t n, int64_t k, int64_t limit) {
  double value = 1.0;
  for (int64_t i = 1; i <= k; ++i) {
    value = value * static_cast<double>(n - k + i) / static_cast<double>(i);
    if (value > static_cast<double>(limit)) return -1;
  }
  return static_cast<int64_t>(std::llround(value));
}

}  // namespace

struct InterestFilter::Accumulators {
  explicit Accumulators(const InterestFilter& f)
      : changes(kGapBuckets, 0.0),
        steps(kGapBuckets, 0.0),
        moves(static_cast<size_t>(f.n_categories_ * f.n_categories_), 0.0),
        item_weight(static_cast<size_t>(f.n_items_), 0.0),
        initial(static_cast<size_t>(f.n_sets_), 0.0) {}

  void add(const Accumulators& o) {
    auto sum = [](std::vector<double>& a, const std::vector<double>& b) {
      for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    };
    sum(changes, o.changes);
    sum(steps, o.steps);
    sum(moves, o.moves);
    sum(item_weight, o.item_weight);
    sum(initial, o.initial);
    noise += o.noise;
    observations += o.observations;
  }

  std::vector<double> changes, steps;  // [kGapBuckets] expected changes, steps per bucket
  std::vector<double> moves;           // [C * C] expected (dropped, added)
  std::vector<double> item_weight;     // [n_items] expected non-noise draws
  std::vector<double> initial;         // [S] posterior of the first set
  double noise = 0.0, observations = 0.0;
  // Scratch of one sequence.
  std::vector<double> alpha, scale, beta, previous_beta, v;
};

InterestFilter::InterestFilter(std::vector<int32_t> item_category, int64_t n_categories,
                               int64_t active)
    : item_category_(std::move(item_category)),
      n_items_(static_cast<int64_t>(item_category_.size())),
      n_categories_(n_categories),
      active_(active) {
  if (active < 1 || active >= n_categories) {
    throw UserError(
        "interest filter: active interests must be between 1 and the number of "
        "categories minus 1 (" +
        std::to_string(n_categories) + " categories), got " + std::to_string(active));
  }
  n_sets_ = choose(n_categories, active, kMaxMoves);
  moves_per_set_ = active * (n_categories - active);
  if (n_sets_ < 0 || n_sets_ * moves_per_set_ > kMaxMoves) {
    throw UserError("interest filter: " + std::to_string(n_categories) + " categories with " +
                    std::to_string(active) + " active make more than " + std::to_string(kMaxMoves) +
                    " set moves to track; use fewer active interests or coarser categories");
  }
  for (int32_t c : item_category_) {
    SHIFTREC_ASSERT(c >= -1 && c < n_categories, "interest filter: item category out of range");
  }
  // Every K-subset in lexicographic order.
  std::map<std::vector<int32_t>, int32_t> index;
  std::vector<int32_t> set(static_cast<size_t>(active));
  for (int64_t k = 0; k < active; ++k) set[k] = static_cast<int32_t>(k);
  while (true) {
    index.emplace(set, static_cast<int32_t>(sets_.size() / active));
    sets_.insert(sets_.end(), set.begin(), set.end());
    int64_t k = active - 1;
    while (k >= 0 && set[k] == n_categories - active + k) --k;
    if (k < 0) break;
    ++set[k];
    for (int64_t j = k + 1; j < active; ++j) set[j] = set[j - 1] + 1;
  }
  SHIFTREC_ASSERT(static_cast<int64_t>(index.size()) == n_sets_, "interest filter: set count");
  member_.assign(static_cast<size_t>(n_sets_ * n_categories), 0);
  for (int64_t s = 0; s < n_sets_; ++s)
    for (int64_t k = 0; k < active; ++k) member_[s * n_categories + sets_[s * active + k]] = 1;
  // The moves of each set: drop member k, add a category not in the set.
  const size_t n_moves = static_cast<size_t>(n_sets_ * moves_per_set_);
  move_to_.reserve(n_moves);
  move_dropped_.reserve(n_moves);
  move_added_.reserve(n_moves);
  for (int64_t s = 0; s < n_sets_; ++s) {
    for (int64_t k = 0; k < active; ++k) {
      for (int32_t added = 0; added < n_categories; ++added) {
        if (member_[s * n_categories + added]) continue;
        std::vector<int32_t> to(sets_.begin() + s * active, sets_.begin() + (s + 1) * active);
        const int32_t dropped = to[k];
        to[k] = added;
        std::sort(to.begin(), to.end());
        move_to_.push_back(index.at(to));
        move_dropped_.push_back(dropped);
        move_added_.push_back(added);
      }
    }
  }
  reset_laws();
}

void InterestFilter::reset_laws() {
  const int64_t C = n_categories_;
  change_.assign(kGapBuckets, 0.1);
  move_.assign(static_cast<size_t>(C * C), 1.0);
  for (int64_t c = 0; c < C; ++c) move_[c * C + c] = 0.0;
  noise_ = 0.1;
  q_.assign(static_cast<size_t>(n_items_), 0.0);
  std::vector<double> per_category(static_cast<size_t>(C), 0.0);
  for (int64_t i = 0; i < n_items_; ++i)
    if (item_category_[i] >= 0) per_category[item_category_[i]] += 1.0;
  for (int64_t i = 0; i < n_items_; ++i)
    if (item_category_[i] >= 0) q_[i] = 1.0 / per_category[item_category_[i]];
  initial_.assign(static_cast<size_t>(n_sets_), 1.0 / static_cast<double>(n_sets_));
  refresh_moves();
}

void InterestFilter::set_laws(Laws laws) {
  const auto check = [](const char* law, size_t size, int64_t expected) {
    if (static_cast<int64_t>(size) != expected) {
      throw UserError("interest filter: the stored law " + std::string(law) + " has " +
                      std::to_string(size) + " values, this filter's has " +
                      std::to_string(expected));
    }
  };
  check("change", laws.change.size(), kGapBuckets);
  check("move", laws.move.size(), n_categories_ * n_categories_);
  check("q", laws.q.size(), n_items_);
  check("initial", laws.initial.size(), n_sets_);
  const auto probabilities = [](const char* law, const std::vector<double>& values) {
    for (const double v : values) {
      if (!(v >= 0.0 && v <= 1.0)) {
        throw UserError("interest filter: the stored law " + std::string(law) + " holds " +
                        std::to_string(v) + ", not a probability");
      }
    }
  };
  probabilities("change", laws.change);
  probabilities("q", laws.q);
  probabilities("initial", laws.initial);
  probabilities("noise", {laws.noise});
  for (const double v : laws.move) {
    if (!(v >= 0.0 && std::isfinite(v)))
      throw UserError("interest filter: the stored law move holds " + std::to_string(v));
  }
  change_ = std::move(laws.change);
  move_ = std::move(laws.move);
  noise_ = laws.noise;
  q_ = std::move(laws.q);
  initial_ = std::move(laws.initial);
  refresh_moves();
}

double InterestFilter::move_probability(int32_t dropped, int32_t added) const {
  if (dropped == added) return 0.0;
  double row = 0.0;
  for (int64_t n = 0; n < n_categories_; ++n) row += move_[dropped * n_categories_ + n];
  return move_[dropped * n_categories_ + added] / row;
}

void InterestFilter::refresh_moves() {
  move_probability_.assign(move_to_.size(), 0.0);
  for (int64_t s = 0; s < n_sets_; ++s) {
    for (int64_t k = 0; k < active_; ++k) {
      const int32_t dropped = sets_[s * active_ + k];
      double row = 0.0;  // move(dropped, .) over the categories not in the set
      for (int64_t n = 0; n < n_categories_; ++n) {
        if (!member_[s * n_categories_ + n]) row += move_[dropped * n_categories_ + n];
      }
      const int64_t first = s * moves_per_set_ + k * (n_categories_ - active_);
      for (int64_t m = first; m < first + (n_categories_ - active_); ++m) {
        move_probability_[m] =
            move_[dropped * n_categories_ + move_added_[m]] / (row * static_cast<double>(active_));
      }
    }
  }
}

double InterestFilter::emission(int32_t item, int64_t set) const {
  const double uniform = noise_ / static_cast<double>(n_items_);
  const int32_t c = item_category_[item];
  if (c < 0 || !member_[set * n_categories_ + c]) return uniform;
  return (1.0 - noise_) * q_[item] / static_cast<double>(active_) + uniform;
}

double InterestFilter::absorb(std::vector<double>& belief, int32_t item) const {
  double total = 0.0;
  for (int64_t s = 0; s < n_sets_; ++s) {
    belief[s] *= emission(item, s);
    total += belief[s];
  }
  for (double& b : belief) b /= total;
  return total;
}

void InterestFilter::advance(const std::vector<double>& belief, double p,
                             std::vector<double>& prior) const {
  prior.resize(static_cast<size_t>(n_sets_));
  for (int64_t s = 0; s < n_sets_; ++s) prior[s] = (1.0 - p) * belief[s];
  for (int64_t s = 0; s < n_sets_; ++s) {
    const double mass = p * belief[s];
    if (mass == 0.0) continue;
    const int64_t first = s * moves_per_set_;
    for (int64_t m = first; m < first + moves_per_set_; ++m)
      prior[move_to_[m]] += mass * move_probability_[m];
  }
}

double InterestFilter::expect(const Sequence& sequence, Accumulators& acc) const {
  const int64_t length = static_cast<int64_t>(sequence.items.size());
  if (length == 0) return 0.0;
  const int64_t S = n_sets_;
  auto& alpha = acc.alpha;
  alpha.resize(static_cast<size_t>(length * S));
  acc.scale.resize(static_cast<size_t>(length));
  std::vector<double> belief = initial_, prior;
  double log_likelihood = 0.0;
  // Forward, scaled: alpha_t sums to 1, scale_t = P(x_t | x_<t).
  for (int64_t t = 0; t < length; ++t) {
    if (t > 0) {
      advance(belief, change_[sequence.gaps_after[t - 1]], prior);
      belief.swap(prior);
    }
    acc.scale[t] = absorb(belief, sequence.items[t]);
    std::copy(belief.begin(), belief.end(), alpha.begin() + t * S);
    log_likelihood += std::log(acc.scale[t]);
  }
  // Backward, scaled by the same factors: gamma_t = alpha_t * beta_t.
  auto& beta = acc.beta;
  auto& previous = acc.previous_beta;
  auto& v = acc.v;
  beta.assign(static_cast<size_t>(S), 1.0);
  previous.resize(static_cast<size_t>(S));
  v.resize(static_cast<size_t>(S));
  const double uniform = noise_ / static_cast<double>(n_items_);
  for (int64_t t = length - 1; t >= 0; --t) {
    const int32_t item = sequence.items[t];
    double noise = 0.0;
    for (int64_t s = 0; s < S; ++s) {
      const double gamma = alpha[t * S + s] * beta[s];
      noise += gamma * uniform / emission(item, s);
      if (t == 0) acc.initial[s] += gamma;
    }
    acc.noise += noise;
    acc.observations += 1.0;
    acc.item_weight[item] += 1.0 - noise;
    if (t == 0) break;
    const int64_t bucket = sequence.gaps_after[t - 1];
    const double p = change_[bucket];
    for (int64_t s = 0; s < S; ++s) v[s] = emission(item, s) * beta[s] / acc.scale[t];
    double changes = 0.0;
    for (int64_t s = 0; s < S; ++s) {
      const double from = alpha[(t - 1) * S + s];
      const int64_t first = s * moves_per_set_;
      double moved = 0.0;
      for (int64_t m = first; m < first + moves_per_set_; ++m) {
        const double term = move_probability_[m] * v[move_to_[m]];
        moved += term;
        const double xi = from * p * term;
        acc.moves[move_dropped_[m] * n_categories_ + move_added_[m]] += xi;
        changes += xi;
      }
      previous[s] = (1.0 - p) * v[s] + p * moved;
    }
    acc.changes[bucket] += changes;
    acc.steps[bucket] += 1.0;
    std::swap(beta, previous);
  }
  return log_likelihood;
}

std::vector<double> InterestFilter::fit(const std::vector<Sequence>& sequences,
                                        int64_t iterations) {
  reset_laws();  // a pure function of `sequences`, however often it is called
  std::vector<double> log_likelihoods;
  for (int64_t iteration = 0; iteration < iterations; ++iteration) {
    // The sequences in a fixed number of blocks, each summed on its own and the blocks added
    // in order: the same sums, to the last bit, whatever the number of threads.
    const int64_t n = static_cast<int64_t>(sequences.size());
    const int64_t blocks = std::min<int64_t>(kBlocks, std::max<int64_t>(n, 1));
    std::vector<std::unique_ptr<Accumulators>> partial(static_cast<size_t>(blocks));
    std::vector<double> partial_ll(static_cast<size_t>(blocks), 0.0);
    at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        if (interrupted()) return;  // thrown below, on the calling thread
        partial[b] = std::make_unique<Accumulators>(*this);
        for (int64_t i = b * n / blocks; i < (b + 1) * n / blocks; ++i)
          partial_ll[b] += expect(sequences[i], *partial[b]);
      }
    });
    throw_if_interrupted();
    Accumulators total(*this);
    double log_likelihood = 0.0;
    for (int64_t b = 0; b < blocks; ++b) {
      total.add(*partial[b]);
      log_likelihood += partial_ll[b];
    }
    log_likelihoods.push_back(log_likelihood);
    if (total.observations == 0.0) break;
    // M-step.
    double all_changes = 0.0, all_steps = 0.0;
    for (int64_t b = 0; b < kGapBuckets; ++b) {
      all_changes += total.changes[b];
      all_steps += total.steps[b];
    }
    if (all_steps > 0.0) {
      const double rate = all_changes / all_steps;
      for (int64_t b = 0; b < kGapBuckets; ++b) {
        change_[b] = std::clamp(
            (total.changes[b] + kChangePseudoSteps * rate) / (total.steps[b] + kChangePseudoSteps),
            1e-6, 1.0 - 1e-6);
      }
    }
    for (int64_t d = 0; d < n_categories_; ++d) {
      for (int64_t n = 0; n < n_categories_; ++n) {
        move_[d * n_categories_ + n] =
            d == n ? 0.0 : total.moves[d * n_categories_ + n] + kMovePseudoCount;
      }
    }
    noise_ = std::clamp(total.noise / total.observations, 1e-6, 0.5);
    std::vector<double> per_category(static_cast<size_t>(n_categories_), 0.0);
    for (int64_t i = 0; i < n_items_; ++i) {
      if (item_category_[i] >= 0)
        per_category[item_category_[i]] += total.item_weight[i] + kItemPseudoCount;
    }
    for (int64_t i = 0; i < n_items_; ++i) {
      if (item_category_[i] >= 0)
        q_[i] = (total.item_weight[i] + kItemPseudoCount) / per_category[item_category_[i]];
    }
    double initial_total = 0.0;
    for (int64_t s = 0; s < n_sets_; ++s) initial_total += total.initial[s] + kInitialPseudoCount;
    for (int64_t s = 0; s < n_sets_; ++s)
      initial_[s] = (total.initial[s] + kInitialPseudoCount) / initial_total;
    refresh_moves();
  }
  return log_likelihoods;
}

void InterestFilter::predict(const int32_t* items, const int64_t* gaps_after, int64_t length,
                             float* out) const {
  std::vector<double> belief = initial_, prior;
  for (int64_t t = 0; t < length; ++t) {
    if (t > 0) {
      advance(belief, change_[gaps_after[t - 1]], prior);
      belief.swap(prior);
    }
    absorb(belief, items[t]);
  }
  if (length > 0) {
    advance(belief, change_[gaps_after[length - 1]], prior);
    belief.swap(prior);
  }
  std::vector<double> category(static_cast<size_t>(n_categories_), 0.0);
  for (int64_t s = 0; s < n_sets_; ++s)
    for (int64_t k = 0; k < active_; ++k)
      category[sets_[s * active_ + k]] += belief[s] / static_cast<double>(active_);
  const double uniform = noise_ / static_cast<double>(n_items_);
  for (int64_t i = 0; i < n_items_; ++i) {
    const int32_t c = item_category_[i];
    out[i] = static_cast<float>(uniform + (c >= 0 ? (1.0 - noise_) * category[c] * q_[i] : 0.0));
  }
}

}  // namespace shiftrec
