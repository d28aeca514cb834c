#include "models/sparse_matrix.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "models/csr_kernel.h"

namespace shiftrec {

struct SparseMatrix::Csr {
  CsrMatrix a, a_transposed;
};

namespace {

// Y = A X with dX = A^T dY. The CSR arrays travel as tensors (saved for the backward pass),
// so a product outlives the SparseMatrix it came from (a sampled subgraph's, say).
struct CsrProduct : public torch::autograd::Function<CsrProduct> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& dense,
                            const at::Tensor& offsets, const at::Tensor& columns,
                            const at::Tensor& values, const at::Tensor& t_offsets,
                            const at::Tensor& t_columns, const at::Tensor& t_values) {
    ctx->save_for_backward({t_offsets, t_columns, t_values});
    const int64_t cols = t_offsets.numel() - 1;
    return csr_times_dense(CsrMatrix{offsets, columns, values, cols}, dense);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const int64_t rows_of_a = grads[0].size(0);
    const CsrMatrix a_transposed{saved[0], saved[1], saved[2], rows_of_a};
    const at::Tensor none;
    return {csr_times_dense(a_transposed, grads[0]), none, none, none, none, none, none};
  }
};

// Y = (A X)[rows] with dX = A[rows]^T dY: the rows a batch reads, without the rest.
struct CsrRowsProduct : public torch::autograd::Function<CsrRowsProduct> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& dense,
                            const at::Tensor& rows, const at::Tensor& offsets,
                            const at::Tensor& columns, const at::Tensor& values) {
    ctx->save_for_backward({rows, offsets, columns, values});
    ctx->saved_data["cols"] = dense.size(0);
    return csr_rows_times_dense(CsrMatrix{offsets, columns, values, dense.size(0)}, rows, dense);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const int64_t cols = ctx->saved_data["cols"].toInt();
    const CsrMatrix a{saved[1], saved[2], saved[3], cols};
    const at::Tensor none;
    return {csr_rows_transposed_times(a, saved[0], grads[0]), none, none, none, none};
  }
};

// Under bf16 autocast (train/mixed_precision.h) a projection before a propagation (NGCF's)
// comes out in bf16, which LibTorch's sparse products do not take: propagate in float32.
at::Tensor full_precision(const at::Tensor& dense) {
  const auto type = dense.scalar_type();
  return type == at::kBFloat16 || type == at::kHalf ? dense.to(at::kFloat) : dense;
}

}  // namespace

SparseMatrix::SparseMatrix(const CsrMatrix& matrix, c10::Device device) {
  if (!device.is_cpu()) {
    coo_ = to_sparse_coo(matrix, device);
    return;
  }
  auto csr = std::make_shared<Csr>();
  csr->a = matrix;
  csr->a_transposed = transposed(matrix);
  csr_ = std::move(csr);
}

at::Tensor SparseMatrix::coo() const { return csr_ ? to_sparse_coo(csr_->a, c10::kCPU) : coo_; }

int64_t SparseMatrix::rows() const { return csr_ ? csr_->a.rows() : coo_.size(0); }

SparseMatrix::SparseMatrix(at::Tensor coo) : coo_(coo.is_coalesced() ? coo : coo.coalesce()) {
  if (!coo_.device().is_cpu() || coo_.scalar_type() != at::kFloat) return;
  auto csr = std::make_shared<Csr>();
  csr->a = csr_from_coo(coo_);
  csr->a_transposed = transposed(csr->a);
  csr_ = std::move(csr);
  coo_ = at::Tensor();  // the CSR serves every product
}

at::Tensor SparseMatrix::times(const at::Tensor& reduced_or_full) const {
  const at::Tensor dense = full_precision(reduced_or_full);
  if (!csr_) return at::mm(coo_, dense);
  if (dense.scalar_type() != at::kFloat || !dense.device().is_cpu()) {
    return at::mm(coo(), dense);  // a double-precision test, say: LibTorch's product
  }
  const CsrMatrix& a = csr_->a;
  const CsrMatrix& t = csr_->a_transposed;
  return CsrProduct::apply(dense, a.offsets, a.columns, a.values, t.offsets, t.columns, t.values);
}

at::Tensor SparseMatrix::rows_times(const at::Tensor& rows,
                                    const at::Tensor& reduced_or_full) const {
  const at::Tensor dense = full_precision(reduced_or_full);
  if (!csr_ || dense.scalar_type() != at::kFloat || !dense.device().is_cpu()) {
    return times(dense).index_select(0, rows);
  }
  const CsrMatrix& a = csr_->a;
  return CsrRowsProduct::apply(dense, rows.to(at::kLong), a.offsets, a.columns, a.values);
}

}  // namespace shiftrec
