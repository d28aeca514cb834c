// One pass over each row of a CPU score matrix that yields, together, the pessimistic rank of
// every target of the row and the row's top-k — instead of one pass for the ranks, one
// boolean [Q, n_items] temporary, and a separate top-k. The full-ranking evaluator's CPU path;
// other devices use the tensor operations in ranking.cpp (the results are equal, tested). The
// loops over a row are core/row_kernels.h's.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// scores [Q, n] float32 on the CPU. Row q's targets are target_items[row_offsets[q] ..
// row_offsets[q + 1]); ranks (out, [T]) = 1 + #(other items scored >= the target), 0 for a
// NaN target score. top (out, [Q * k] when k > 0) = item ids by score, best first, ties to
// the lower id. Rows are split among at::get_num_threads() threads.
void fused_rank_top_k(const at::Tensor& scores, const std::vector<int64_t>& row_offsets,
                      const std::vector<int64_t>& target_items, int64_t k, int64_t* ranks,
                      int32_t* top);

}  // namespace shiftrec
