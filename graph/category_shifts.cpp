#include "graph/category_shifts.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/shift_labels.h"
#include "datasets/split.h"

namespace shiftrec {

CategoryShiftGraph count_category_shifts(const Split& split, const Interactions& data,
                                         double common_share, int64_t window, double smoothing) {
  SHIFTREC_ASSERT(data.has_categories() && window >= 1 && smoothing > 0.0,
                  "category shifts need categories, a window and smoothing");
  SHIFTREC_ASSERT(split.offsets == data.user_offsets, "split not made from these interactions");
  const int64_t n = data.n_categories;
  CategoryShiftGraph g;
  g.n_categories = n;
  g.counts.assign(n * n, 0.0);
  const std::vector<bool> ignored = common_categories(data, common_share);
  // Non-ignored categories of an item, into `out`.
  const auto categories_of = [&](int32_t item, std::vector<int32_t>& out) {
    out.clear();
    for (int64_t k = data.category_offsets[item]; k < data.category_offsets[item + 1]; ++k) {
      if (!ignored[data.category_ids[k]]) out.push_back(data.category_ids[k]);
    }
  };
  // A window as long as any sequence: NOVEL = none of its categories ever seen before.
  SequenceLabeller labeller(data, std::numeric_limits<int64_t>::max() / 2, common_share);
  std::vector<int32_t> to, from, scratch;
  for (int64_t u = 0; u < split.n_users; ++u) {
    const int32_t* items = split.items.data() + split.offsets[u];
    const std::vector<ShiftLabel>& labels = labeller.label(static_cast<int32_t>(u));
    for (int64_t t = 1; t < split.train_length[u]; ++t) {  // labels read only positions < t
      if (labels[t] != ShiftLabel::kNovel) continue;
      from.clear();
      for (int64_t s = std::max<int64_t>(0, t - window); s < t; ++s) {
        categories_of(items[s], scratch);
        from.insert(from.end(), scratch.begin(), scratch.end());
      }
      std::sort(from.begin(), from.end());
      from.erase(std::unique(from.begin(), from.end()), from.end());
      if (from.empty()) continue;
      categories_of(items[t], to);
      const double w = 1.0 / static_cast<double>(from.size() * to.size());
      for (int32_t a : from) {
        for (int32_t b : to) g.counts[a * n + b] += w;
      }
      ++g.shifts;
    }
  }
  g.probability.resize(n * n);
  for (int64_t a = 0; a < n; ++a) {
    double total = 0.0;
    for (int64_t b = 0; b < n; ++b) total += g.counts[a * n + b] + smoothing;
    for (int64_t b = 0; b < n; ++b)
      g.probability[a * n + b] = (g.counts[a * n + b] + smoothing) / total;
  }
  return g;
}

}  // namespace shiftrec
