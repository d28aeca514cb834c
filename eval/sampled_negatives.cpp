#include "eval/sampled_negatives.h"

#include <algorithm>

#include "core/error.h"
#include "core/seed.h"
#include "datasets/split.h"

namespace shiftrec {

std::vector<int32_t> draw_sampled_negatives(const Split& split, const EvalTargets& targets,
                                            int64_t count, uint64_t seed) {
  std::vector<int32_t> out(static_cast<size_t>(targets.size() * count));
  std::vector<int32_t> touched, drawn;
  for (int64_t t = 0; t < targets.size(); ++t) {
    const int32_t u = targets.user[t];
    touched.assign(split.items.begin() + split.offsets[u], split.items.begin() + split.offsets[u + 1]);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    const int64_t available = split.n_items - static_cast<int64_t>(touched.size());
    if (available < count) {
      throw UserError("sampled protocol needs " + std::to_string(count) +
                      " negatives, but user " + std::to_string(u) + " left only " +
                      std::to_string(available) + " items untouched");
    }
    Rng rng(derive_seed(seed, "eval.negatives", static_cast<uint64_t>(t)));
    drawn.clear();
    while (static_cast<int64_t>(drawn.size()) < count) {
      const auto item = static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(split.n_items)));
      if (std::binary_search(touched.begin(), touched.end(), item)) continue;
      if (std::find(drawn.begin(), drawn.end(), item) != drawn.end()) continue;
      drawn.push_back(item);
    }
    std::copy(drawn.begin(), drawn.end(), out.begin() + t * count);
  }
  return out;
}

}  // namespace shiftrec
