#include "eval/fused_ranking.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/error.h"
#include "core/row_kernels.h"

namespace shiftrec {
namespace {

using Entry = std::pair<float, int32_t>;  // (score, item)

// "a ranks before b": higher score, then lower item id.
inline bool before(const Entry& a, const Entry& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

void rank_row(const float* row, int64_t n, const int64_t* targets, int64_t n_targets, int64_t k,
              int64_t* ranks, int32_t* top, std::vector<Entry>& heap) {
  // Pessimistic rank of a target: 1 + #(others >= it) = #(items >= it).
  for (int64_t j = 0; j < n_targets; ++j) ranks[j] = count_at_least(row, n, row[targets[j]]);
  if (k == 0) return;
  // Top-k: a heap whose front is the worst of the best k so far. Blocks with no score above
  // that worst entry are skipped whole (items come in ascending id order, so an equal score
  // never displaces an earlier item).
  heap.clear();
  int64_t i = 0;
  for (; i < n && static_cast<int64_t>(heap.size()) < k; ++i) {
    if (std::isnan(row[i])) continue;
    heap.push_back({row[i], static_cast<int32_t>(i)});
    std::push_heap(heap.begin(), heap.end(), before);
  }
  while (i < n && (i = next_block_above(row, i, n, heap.front().first)) < n) {
    for (const int64_t end = std::min(n, i + kRowBlock); i < end; ++i) {
      const Entry entry{row[i], static_cast<int32_t>(i)};
      if (entry.first > heap.front().first) {
        std::pop_heap(heap.begin(), heap.end(), before);
        heap.back() = entry;
        std::push_heap(heap.begin(), heap.end(), before);
      }
    }
  }
  std::sort_heap(heap.begin(), heap.end(), before);  // best first
  for (int64_t j = 0; j < k; ++j)
    top[j] = j < static_cast<int64_t>(heap.size()) ? heap[j].second : 0;
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
