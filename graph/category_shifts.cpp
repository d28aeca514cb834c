#include "graph/category_shifts.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/shift_labels.h"
#include "datasets/split.h"

namespace shiftrec {

namespace {

// One training shift: the pairs (from a, to b) it counts for.
struct ShiftEvent {
  std::vector<int32_t> from, to;
};

// Rows of `counts` smoothed and normalised.
std::vector<double> row_probabilities(const std::vector<double>& counts, int64_t n,
                                      double smoothing) {
  std::vector<double> probability(n * n);
  for (int64_t a = 0; a < n; ++a) {
    double total = 0.0;
    for (int64_t b = 0; b < n; ++b) total += counts[a * n + b] + smoothing;
    for (int64_t b = 0; b < n; ++b)
      probability[a * n + b] = (counts[a * n + b] + smoothing) / total;
  }
  return probability;
}

// Each event's unit weight split over its pairs in proportion to `pair_weight(a, b)`.
template <typename PairWeight>
std::vector<double> split_events(const std::vector<ShiftEvent>& events, int64_t n,
                                 const PairWeight& pair_weight) {
  std::vector<double> counts(n * n, 0.0);
  for (const ShiftEvent& e : events) {
    double total = 0.0;
    for (int32_t a : e.from) {
      for (int32_t b : e.to) total += pair_weight(a, b);
    }
    for (int32_t a : e.from) {
      for (int32_t b : e.to) counts[a * n + b] += pair_weight(a, b) / total;
    }
  }
  return counts;
}

// The training shifts of `split`, each with its recent and its new categories.
std::vector<ShiftEvent> training_shifts(const Split& split, const Interactions& data,
                                        const CategoryShiftOptions& o) {
  const std::vector<bool> ignored = common_categories(data, o.common_share);
  // Non-ignored categories of an item, into `out`.
  const auto categories_of = [&](int32_t item, std::vector<int32_t>& out) {
    out.clear();
    for (int64_t k = data.category_offsets[item]; k < data.category_offsets[item + 1]; ++k) {
      if (!ignored[data.category_ids[k]]) out.push_back(data.category_ids[k]);
    }
  };
  // A window as long as any sequence: NOVEL = none of its categories ever seen before.
  SequenceLabeller labeller(data, std::numeric_limits<int64_t>::max() / 2, o.common_share);
  std::vector<ShiftEvent> events;
  std::vector<int32_t> scratch;
  for (int64_t u = 0; u < split.n_users; ++u) {
    const int32_t* items = split.items.data() + split.offsets[u];
    const std::vector<ShiftLabel>& labels = labeller.label(static_cast<int32_t>(u));
    for (int64_t t = 1; t < split.train_length[u]; ++t) {  // labels read only positions < t
      if (labels[t] != ShiftLabel::kNovel) continue;
      ShiftEvent e;
      for (int64_t s = std::max<int64_t>(0, t - o.window); s < t; ++s) {
        categories_of(items[s], scratch);
        e.from.insert(e.from.end(), scratch.begin(), scratch.end());
      }
      std::sort(e.from.begin(), e.from.end());
      e.from.erase(std::unique(e.from.begin(), e.from.end()), e.from.end());
      if (e.from.empty()) continue;
      categories_of(items[t], e.to);
      events.push_back(std::move(e));
    }
  }
  return events;
}

}  // namespace

CategoryShiftGraph count_category_shifts(const Split& split, const Interactions& data,
                                         const CategoryShiftOptions& o) {
  SHIFTREC_ASSERT(
      data.has_categories() && o.window >= 1 && o.smoothing > 0.0 && o.em_iterations >= 0,
      "category shifts need categories, a window and smoothing");
  SHIFTREC_ASSERT(split.offsets == data.user_offsets, "split not made from these interactions");
  const int64_t n = data.n_categories;
  const std::vector<ShiftEvent> events = training_shifts(split, data, o);
  CategoryShiftGraph g;
  g.n_categories = n;
  g.shifts = static_cast<int64_t>(events.size());
  g.counts = split_events(events, n, [](int32_t, int32_t) { return 1.0; });
  g.probability = row_probabilities(g.counts, n, o.smoothing);
  for (int64_t i = 0; i < o.em_iterations; ++i) {
    const std::vector<double>& p = g.probability;
    g.counts = split_events(events, n, [&p, n](int32_t a, int32_t b) { return p[a * n + b]; });
    g.probability = row_probabilities(g.counts, n, o.smoothing);
  }
  return g;
}

}  // namespace shiftrec
