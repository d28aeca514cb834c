// Sparse (CSR) x dense products on the CPU: the kernels behind SparseMatrix
// (models/sparse_matrix.h). Compiled with -O3 so that the per-row multiply-add over the
// embedding width is vectorised (-O2 leaves it scalar and no faster than LibTorch's COO
// product), and prefetching the neighbour rows a few entries ahead (they are scattered over
// the embedding table; the gathers, not the arithmetic, bound the product).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "graph/csr_matrix.h"

namespace shiftrec {

// a [R, C] x dense [C, d] (float, CPU) -> [R, d]; rows split over at::parallel_for. Rows
// without entries give zeros.
at::Tensor csr_times_dense(const CsrMatrix& a, const at::Tensor& dense);

}  // namespace shiftrec
