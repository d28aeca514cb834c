#include "eval/sampled_negatives.h"

#include <algorithm>

#include "core/error.h"
#include "core/seed.h"
#include "datasets/split.h"

namespace shiftrec {
namespace {

// Draws item ids by weight: cumulative[i] = total weight of items 0..i.
class WeightedItems {
 public:
  explicit WeightedItems(const std::vector<int64_t>& weights) : cumulative_(weights.size()) {
    int64_t sum = 0;
    for (size_t i = 0; i < weights.size(); ++i)
      cumulative_[i] = static_cast<double>(sum += weights[i]);
  }
  int32_t draw(Rng& rng) const {
    const double x = uniform01(rng) * cumulative_.back();
    return static_cast<int32_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) -
                                cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace

std::vector<int32_t> draw_sampled_negatives(const Split& split, const EvalTargets& targets,
                                            int64_t count, uint64_t seed,
                                            NegativeSampling sampling) {
  std::vector<int32_t> out(static_cast<size_t>(targets.size() * count));
  const bool by_popularity = sampling == NegativeSampling::kPopularity;
  const std::vector<int64_t> popularity =
      by_popularity ? split.train_item_counts() : std::vector<int64_t>{};
  const WeightedItems weighted(by_popularity ? popularity : std::vector<int64_t>{1});
  int64_t drawable = split.n_items;  // items that can ever be drawn
  if (by_popularity)
    drawable = std::count_if(popularity.begin(), popularity.end(), [](int64_t c) { return c > 0; });
  std::vector<int32_t> touched, drawn;
  for (int64_t t = 0; t < targets.size(); ++t) {
    const int32_t u = targets.user[t];
    touched.assign(split.items.begin() + split.offsets[u],
                   split.items.begin() + split.offsets[u + 1]);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    int64_t available = drawable;
    for (int32_t item : touched) available -= !by_popularity || popularity[item] > 0;
    if (available < count) {
      throw UserError("sampled protocol needs " + std::to_string(count) + " negatives, but user " +
                      std::to_string(u) + " left only " + std::to_string(available) +
                      " items untouched" + (by_popularity ? " (with training interactions)" : ""));
    }
    Rng rng(derive_seed(seed, "eval.negatives", static_cast<uint64_t>(t)));
    drawn.clear();
    // Rejection of the user's own and already drawn items; bounded so a user who touched
    // most of the popularity mass cannot stall it — the rest then comes from an exact draw.
    int64_t attempts = 0;
    const int64_t max_attempts = 64 * count + 1024;
    while (static_cast<int64_t>(drawn.size()) < count && attempts++ < max_attempts) {
      const auto item =
          by_popularity
              ? weighted.draw(rng)
              : static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(split.n_items)));
      if (std::binary_search(touched.begin(), touched.end(), item)) continue;
      if (std::find(drawn.begin(), drawn.end(), item) != drawn.end()) continue;
      drawn.push_back(item);
    }
    if (static_cast<int64_t>(drawn.size()) < count) {
      std::vector<int64_t> weights(split.n_items, 0);
      for (int64_t i = 0; i < split.n_items; ++i) {
        const bool excluded = std::binary_search(touched.begin(), touched.end(), i) ||
                              std::find(drawn.begin(), drawn.end(), i) != drawn.end();
        weights[i] = excluded ? 0 : (by_popularity ? popularity[i] : 1);
      }
      while (static_cast<int64_t>(drawn.size()) < count) {
        const int32_t item = WeightedItems(weights).draw(rng);
        drawn.push_back(item);
        weights[item] = 0;
      }
    }
    std::copy(drawn.begin(), drawn.end(), out.begin() + t * count);
  }
  return out;
}

}  // namespace shiftrec
