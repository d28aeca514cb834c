// A fixed sparse matrix A [R, C] — a graph's propagation matrix — that multiplies dense
// tensors, with gradients flowing to the dense side only (A is data, not a parameter).
//
// On the CPU it keeps A and its transpose in compressed sparse rows and multiplies with a
// row-parallel, vectorised, prefetching kernel (models/csr_kernel.h): one LightGCN
// propagation on Gowalla, forward and backward, runs 2.2x (one thread) to 2.4x (two) faster
// than through LibTorch 1.13's COO product, which is single-threaded; the backward pass
// (A^T G) uses the same kernel. On CUDA, and for non-float dense inputs,
// it is LibTorch's sparse product at::mm(A, X).
#pragma once

#include <cstdint>
#include <memory>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "graph/csr_matrix.h"

namespace shiftrec {

class SparseMatrix {
 public:
  SparseMatrix() = default;
  // A matrix graph/ built, for products on `device`: kept as CSR on the CPU, turned into a
  // COO tensor on the device elsewhere.
  SparseMatrix(const CsrMatrix& matrix, c10::Device device);
  // coo: sparse COO float [R, C] on any device (coalesced here when it is not).
  explicit SparseMatrix(at::Tensor coo);

  bool defined() const { return csr_ != nullptr || coo_.defined(); }
  // The matrix as a sparse COO tensor [R, C] (made from the CSR on the CPU: for tests and
  // baselines, not the product).
  at::Tensor coo() const;
  int64_t rows() const;

  // dense [C, d] -> A dense [R, d]; differentiable in `dense`. A bf16 `dense` (autocast) is
  // propagated in float32.
  at::Tensor times(const at::Tensor& dense) const;
  // rows [M] (int64, repeats allowed), dense [C, d] -> (A dense)[rows] [M, d], computing only
  // those rows (and, backward, scattering into only their neighbours); differentiable in
  // `dense`. Equal to times(dense).index_select(0, rows).
  at::Tensor rows_times(const at::Tensor& rows, const at::Tensor& dense) const;

 private:
  struct Csr;
  at::Tensor coo_;
  std::shared_ptr<const Csr> csr_;  // A and A^T as CSR; CPU only
};

}  // namespace shiftrec
