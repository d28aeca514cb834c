#include "train/pair_batching.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "datasets/split.h"

namespace shiftrec {

PairBatcher::PairBatcher(const Split& split, int64_t batch_size) : batch_size_(batch_size) {
  SHIFTREC_ASSERT(batch_size > 0, "batch size must be positive");
  std::vector<int32_t> items;
  for (int64_t u = 0; u < split.n_users; ++u) {
    split.distinct_train_items(u, items);
    for (int32_t item : items) {
      users_.push_back(static_cast<int32_t>(u));
      items_.push_back(item);
    }
  }
}

std::vector<PairBatch> PairBatcher::epoch(Rng& rng) const {
  std::vector<int64_t> order(users_.size());
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = static_cast<int64_t>(order.size()) - 1; i > 0; --i) {  // Fisher-Yates
    std::swap(order[i], order[uniform_index(rng, static_cast<uint64_t>(i + 1))]);
  }
  std::vector<PairBatch> batches;
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch_size_)) {
    PairBatch batch;
    for (size_t k = start; k < std::min(order.size(), start + static_cast<size_t>(batch_size_));
         ++k) {
      batch.users.push_back(users_[order[k]]);
      batch.items.push_back(items_[order[k]]);
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace shiftrec
