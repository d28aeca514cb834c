// Sparse (CSR) x dense products on the CPU: the kernels behind SparseMatrix
// (models/sparse_matrix.h). Compiled with -O3 so that the per-row multiply-add over the
// embedding width is vectorised (-O2 leaves it scalar and no faster than LibTorch's COO
// product), and prefetching the neighbour rows a few entries ahead (they are scattered over
// the embedding table; the gathers, not the arithmetic, bound the product).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// A float matrix [rows, cols] in compressed sparse rows on the CPU.
struct CsrRows {
  at::Tensor offsets;  // int64 [rows + 1]; row r's entries are offsets[r] .. offsets[r+1]-1
  at::Tensor columns;  // int64 [nnz]; any order within a row
  at::Tensor values;   // float [nnz]
  int64_t cols = 0;

  int64_t rows() const { return offsets.numel() - 1; }
};

// From a coalesced sparse COO float tensor [rows, cols] on the CPU: its entries in ascending
// row order, as coalescing leaves them (an InternalError otherwise).
CsrRows csr_from_coo(const at::Tensor& coo);

// The transpose [cols, rows] (a counting sort over the columns: O(nnz + rows + cols)).
CsrRows transposed(const CsrRows& a);

// a [R, C] x dense [C, d] (float, CPU) -> [R, d]; rows split over at::parallel_for. Rows
// without entries give zeros.
at::Tensor csr_times_dense(const CsrRows& a, const at::Tensor& dense);

}  // namespace shiftrec
