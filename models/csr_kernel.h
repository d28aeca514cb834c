// Sparse (CSR) x dense products on the CPU: the kernels behind SparseMatrix
// (models/sparse_matrix.h). The gathers of scattered neighbour rows, not the arithmetic, bound
// them, so each kernel prefetches the neighbour row a few entries ahead, keeps the output row
// in registers when the width is 64 (the common embedding size), and is compiled three times —
// AVX-512, AVX2 + FMA and the x86-64 baseline — with the widest the CPU supports chosen once
// at run time (the build targets the baseline, so a binary runs anywhere). The file is
// compiled -O3: at -O2 GCC 12 leaves the multiply-add over the width scalar.
#pragma once

#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "graph/csr_matrix.h"

namespace shiftrec {

// a [R, C] x dense [C, d] (float, CPU) -> [R, d]; rows split over at::parallel_for. Rows
// without entries give zeros.
at::Tensor csr_times_dense(const CsrMatrix& a, const at::Tensor& dense);

// Rows `rows` [M] (int64, repeats allowed) of a x dense: [M, d]; row i is row rows[i] of
// csr_times_dense(a, dense), summed in the same order.
at::Tensor csr_rows_times_dense(const CsrMatrix& a, const at::Tensor& rows,
                                const at::Tensor& dense);

// The adjoint of csr_rows_times_dense: (a restricted to `rows`)^T x grad [M, d] -> [C, d], i.e.
// out[c] = sum over i of a[rows[i], c] * grad[i] (zeros where no selected row reaches c).
at::Tensor csr_rows_transposed_times(const CsrMatrix& a, const at::Tensor& rows,
                                     const at::Tensor& grad);

// Which instruction set the kernels run with here: "avx512", "avx2" or "baseline".
const char* csr_kernel_isa();
// For tests and benchmarks: run the kernels with `isa` ("baseline", "avx2", "avx512") from now
// on; false (nothing changed) when the name is unknown or this CPU lacks the set.
bool use_csr_kernel_isa(const std::string& isa);

}  // namespace shiftrec
