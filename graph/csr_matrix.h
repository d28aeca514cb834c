// A float matrix [rows, cols] in compressed sparse rows on the CPU: the form graph/ builds its
// propagation matrices in (normalized_adjacency, transition_matrix) and models/ multiplies
// with (models/sparse_matrix.h) — no COO tensor in between on the CPU. A COO tensor is made
// only where LibTorch's product needs one (CUDA).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace shiftrec {

struct CsrMatrix {
  at::Tensor offsets;  // int64 [rows + 1]; row r's entries are offsets[r] .. offsets[r+1]-1
  at::Tensor columns;  // int64 [nnz]; any order within a row (ascending where graph/ built it)
  at::Tensor values;   // float [nnz]
  int64_t cols = 0;

  int64_t rows() const { return offsets.numel() - 1; }
  int64_t nnz() const { return columns.numel(); }
};

// From a coalesced sparse COO float tensor [rows, cols] on the CPU (SparseMatrix from a COO tensor:
// tests, baselines): its entries in ascending row order, as coalescing leaves them (an
// InternalError otherwise).
CsrMatrix csr_from_coo(const at::Tensor& coo);

// The same matrix as a sparse COO float tensor on `device`, flagged coalesced (rows
// ascending, each row's entries in the CSR's order).
at::Tensor to_sparse_coo(const CsrMatrix& matrix, c10::Device device);

// The transpose [cols, rows] (a counting sort over the columns: O(nnz + rows + cols)); each
// transposed row's columns come out ascending.
CsrMatrix transposed(const CsrMatrix& a);

}  // namespace shiftrec
