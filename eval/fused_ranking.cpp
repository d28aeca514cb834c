#include "eval/fused_ranking.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/error.h"

namespace shiftrec {
namespace {

using Entry = std::pair<float, int32_t>;  // (score, item)

// "a ranks before b": higher score, then lower item id.
inline bool before(const Entry& a, const Entry& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

void rank_row(const float* row, int64_t n, const int64_t* targets, int64_t n_targets, int64_t k,
              int64_t* ranks, int32_t* top, std::vector<Entry>& heap) {
  float target_score[64];
  int64_t counts[64];
  const int64_t direct = std::min<int64_t>(n_targets, 64);
  for (int64_t j = 0; j < direct; ++j) {
    target_score[j] = row[targets[j]];
    counts[j] = 0;
  }
  heap.clear();
  // The heap's front is the worst of the best k seen so far (std heaps keep the "largest"
  // under the comparator in front, so `before` makes the worst entry the largest).
  for (int64_t i = 0; i < n; ++i) {
    const float v = row[i];
    for (int64_t j = 0; j < direct; ++j) counts[j] += v >= target_score[j];
    if (k == 0) continue;
    const Entry entry{v, static_cast<int32_t>(i)};
    if (static_cast<int64_t>(heap.size()) < k) {
      if (std::isnan(v)) continue;
      heap.push_back(entry);
      std::push_heap(heap.begin(), heap.end(), before);
    } else if (before(entry, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), before);
      heap.back() = entry;
      std::push_heap(heap.begin(), heap.end(), before);
    }
  }
  for (int64_t j = 0; j < direct; ++j) ranks[j] = std::isnan(target_score[j]) ? 0 : counts[j];
  for (int64_t j = direct; j < n_targets; ++j) {  // rare: more than 64 targets in one row
    const float score = row[targets[j]];
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) count += row[i] >= score;
    ranks[j] = std::isnan(score) ? 0 : count;
  }
  if (k > 0) {
    std::sort_heap(heap.begin(), heap.end(), before);  // best first
    for (int64_t j = 0; j < k; ++j) {
      top[j] = j < static_cast<int64_t>(heap.size()) ? heap[j].second : 0;
    }
  }
}

}  // namespace

void fused_rank_top_k(const at::Tensor& scores, const std::vector<int64_t>& row_offsets,
                      const std::vector<int64_t>& target_items, int64_t k, int64_t* ranks,
                      int32_t* top) {
  SHIFTREC_ASSERT(scores.is_cpu() && scores.scalar_type() == at::kFloat && scores.dim() == 2,
                  "fused ranking needs a CPU float matrix");
  const at::Tensor matrix = scores.contiguous();
  const int64_t rows = matrix.size(0), n = matrix.size(1);
  SHIFTREC_ASSERT(static_cast<int64_t>(row_offsets.size()) == rows + 1, "one offset per row");
  SHIFTREC_ASSERT(k <= n, "k above the number of items");
  const float* data = matrix.data_ptr<float>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    std::vector<Entry> heap;
    heap.reserve(static_cast<size_t>(k));
    for (int64_t q = begin; q < end; ++q) {
      rank_row(data + q * n, n, target_items.data() + row_offsets[q],
               row_offsets[q + 1] - row_offsets[q], k, ranks + row_offsets[q],
               top == nullptr ? nullptr : top + q * k, heap);
    }
  });
}

}  // namespace shiftrec
