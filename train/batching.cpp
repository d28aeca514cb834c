#include "train/batching.h"

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"

namespace shiftrec {

SequenceBatcher::SequenceBatcher(const Split& split, int64_t max_length, int64_t batch_size,
                                 bool length_buckets, int64_t bucket_pool)
    : split_(split),
      max_length_(max_length),
      batch_size_(batch_size),
      length_buckets_(length_buckets),
      bucket_pool_(bucket_pool) {
  SHIFTREC_ASSERT(max_length > 0 && batch_size > 0 && bucket_pool > 0, "bad batcher options");
  for (int64_t u = 0; u < split.n_users; ++u) {
    if (split.train_length[u] >= 2) users_.push_back(static_cast<int32_t>(u));
  }
}

std::vector<std::vector<int32_t>> SequenceBatcher::epoch_plan(Rng& rng) const {
  std::vector<int32_t> order = users_;
  for (int64_t i = static_cast<int64_t>(order.size()) - 1; i > 0; --i) {
    std::swap(order[i], order[uniform_index(rng, static_cast<uint64_t>(i + 1))]);
  }
  if (length_buckets_) {
    const auto length_of = [this](int32_t u) {
      return std::min(split_.train_length[u] - 1, max_length_);
    };
    const size_t pool = static_cast<size_t>(batch_size_ * bucket_pool_);
    for (size_t start = 0; start < order.size(); start += pool) {
      const auto end = order.begin() + static_cast<int64_t>(std::min(order.size(), start + pool));
      std::stable_sort(order.begin() + static_cast<int64_t>(start), end,
                       [&](int32_t a, int32_t b) { return length_of(a) < length_of(b); });
    }
  }
  std::vector<std::vector<int32_t>> batches;
  for (size_t start = 0; start < order.size(); start += static_cast<size_t>(batch_size_)) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size_));
    batches.emplace_back(order.begin() + static_cast<int64_t>(start),
                         order.begin() + static_cast<int64_t>(end));
  }
  if (length_buckets_) {
    for (int64_t i = static_cast<int64_t>(batches.size()) - 1; i > 0; --i) {
      std::swap(batches[i], batches[uniform_index(rng, static_cast<uint64_t>(i + 1))]);
    }
  }
  return batches;
}

double SequenceBatcher::mean_positions_per_batch() const {
  int64_t positions = 0;
  for (int32_t u : users_) {
    const int64_t length = split_.train_length[u] - 1;
    positions += std::min(length, max_length_) - old_targets(u, length);
  }
  const int64_t batches = (n_examples() + batch_size_ - 1) / batch_size_;
  return batches > 0 ? static_cast<double>(positions) / static_cast<double>(batches) : 1.0;
}

int64_t SequenceBatcher::old_targets(int32_t user, int64_t length) const {
  if (split_.supervised_from.empty()) return 0;
  // The row holds targets n - m .. n - 1 of the user's sequence (n = length + 1, m real
  // columns, right-aligned): target index n - m + k at column width - m + k.
  const int64_t m = std::min(length, max_length_);
  const int64_t first = length + 1 - m;
  return std::clamp<int64_t>(split_.supervised_from[static_cast<size_t>(user)] - first, 0, m);
}

void SequenceBatcher::unsupervise_old_targets(const std::vector<int32_t>& users,
                                              const std::vector<int64_t>& length,
                                              SequenceBatch& batch) const {
  auto targets = batch.targets.accessor<int64_t, 2>();
  const int64_t width = batch.targets.size(1);
  for (size_t r = 0; r < users.size(); ++r) {
    const int64_t m = std::min(length[r], max_length_), old = old_targets(users[r], length[r]);
    for (int64_t k = 0; k < old; ++k) targets[static_cast<int64_t>(r)][width - m + k] = 0;
    batch.positions -= old;
  }
}

SequenceBatch SequenceBatcher::make_batch(const std::vector<int32_t>& users) const {
  std::vector<int64_t> input_begin, target_begin, length, train_end;
  input_begin.reserve(users.size());
  target_begin.reserve(users.size());
  length.reserve(users.size());
  train_end.reserve(users.size());
  for (int32_t u : users) {
    const int64_t n = split_.train_length[u];
    input_begin.push_back(split_.offsets[u]);
    target_begin.push_back(split_.offsets[u] + 1);
    length.push_back(n - 1);
    train_end.push_back(split_.offsets[u] + n);
  }
  int64_t positions = 0;
  for (int64_t n : length) positions += std::min(n, max_length_);
  SequenceBatch batch{pack_histories(split_.items, input_begin, length, max_length_),
                      pack_histories(split_.items, target_begin, length, max_length_),
                      {},
                      positions};
  if (!split_.supervised_from.empty()) unsupervise_old_targets(users, length, batch);
  // Each input's next interaction is its target, inside the training prefix.
  if (!split_.times.empty()) {
    batch.gaps = pack_gap_buckets(split_.times, input_begin, length, train_end, max_length_);
  }
  return batch;
}

}  // namespace shiftrec
