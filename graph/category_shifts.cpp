#include "graph/category_shifts.h"

#include <algorithm>

#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/split.h"

namespace shiftrec {

CategoryShiftGraph count_category_shifts(const Split& split, const Interactions& data,
                                         const std::vector<bool>& ignored, int64_t window,
                                         double smoothing) {
  SHIFTREC_ASSERT(data.has_categories() && window >= 1 && smoothing > 0.0,
                  "category shifts need categories, a window and smoothing");
  const int64_t n = data.n_categories;
  CategoryShiftGraph g;
  g.n_categories = n;
  g.counts.assign(n * n, 0.0);
  // Non-ignored categories of an item, into `out`.
  const auto categories_of = [&](int32_t item, std::vector<int32_t>& out) {
    out.clear();
    for (int64_t k = data.category_offsets[item]; k < data.category_offsets[item + 1]; ++k) {
      if (!ignored[data.category_ids[k]]) out.push_back(data.category_ids[k]);
    }
  };
  std::vector<int64_t> seen_category(n, -1), seen_item(data.n_items, -1);  // stamp = user
  std::vector<int32_t> to, from, scratch;
  for (int64_t u = 0; u < split.n_users; ++u) {
    const int32_t* items = split.items.data() + split.offsets[u];
    const int64_t length = split.train_length[u];
    for (int64_t t = 0; t < length; ++t) {
      categories_of(items[t], to);
      bool shift = t > 0 && !to.empty() && seen_item[items[t]] != u;
      for (int32_t c : to) shift = shift && seen_category[c] != u;
      if (shift) {
        from.clear();
        for (int64_t s = std::max<int64_t>(0, t - window); s < t; ++s) {
          categories_of(items[s], scratch);
          from.insert(from.end(), scratch.begin(), scratch.end());
        }
        std::sort(from.begin(), from.end());
        from.erase(std::unique(from.begin(), from.end()), from.end());
        if (!from.empty()) {
          const double w = 1.0 / static_cast<double>(from.size() * to.size());
          for (int32_t a : from) {
            for (int32_t b : to) g.counts[a * n + b] += w;
          }
          ++g.shifts;
        }
      }
      for (int32_t c : to) seen_category[c] = u;
      seen_item[items[t]] = u;
    }
  }
  g.probability.resize(n * n);
  for (int64_t a = 0; a < n; ++a) {
    double total = 0.0;
    for (int64_t b = 0; b < n; ++b) total += g.counts[a * n + b] + smoothing;
    for (int64_t b = 0; b < n; ++b) g.probability[a * n + b] = (g.counts[a * n + b] + smoothing) / total;
  }
  return g;
}

}  // namespace shiftrec
