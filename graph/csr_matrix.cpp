#include "graph/csr_matrix.h"

#include <vector>

#include <ATen/ATen.h>

#include "core/error.h"

namespace shiftrec {

CsrMatrix csr_from_coo(const at::Tensor& coo) {
  SHIFTREC_ASSERT(coo.is_sparse() && coo.is_coalesced() && coo.dim() == 2,
                  "csr_from_coo needs a coalesced 2-d sparse COO tensor");
  const at::Tensor indices = coo._indices().contiguous();
  const int64_t rows = coo.size(0);
  CsrMatrix out;
  out.cols = coo.size(1);
  out.columns = indices[1].contiguous();
  out.values = coo._values().to(at::kFloat).contiguous();
  out.offsets = at::zeros({rows + 1}, at::kLong);
  int64_t* offsets = out.offsets.data_ptr<int64_t>();
  const int64_t* row = indices.data_ptr<int64_t>();
  const int64_t nnz = out.columns.numel();
  for (int64_t j = 0; j < nnz; ++j) {
    SHIFTREC_ASSERT(j == 0 || row[j - 1] <= row[j], "csr_from_coo: entries not in row order");
    ++offsets[row[j] + 1];
  }
  for (int64_t r = 0; r < rows; ++r) offsets[r + 1] += offsets[r];
  return out;
}

CsrMatrix transposed(const CsrMatrix& a) {
  const int64_t nnz = a.columns.numel();
  CsrMatrix t;
  t.cols = a.rows();
  t.offsets = at::zeros({a.cols + 1}, at::kLong);
  t.columns = at::empty({nnz}, at::kLong);
  t.values = at::empty({nnz}, at::kFloat);
  const int64_t* offsets = a.offsets.data_ptr<int64_t>();
  const int64_t* columns = a.columns.data_ptr<int64_t>();
  const float* values = a.values.data_ptr<float>();
  int64_t* t_offsets = t.offsets.data_ptr<int64_t>();
  for (int64_t j = 0; j < nnz; ++j) ++t_offsets[columns[j] + 1];
  for (int64_t c = 0; c < a.cols; ++c) t_offsets[c + 1] += t_offsets[c];
  std::vector<int64_t> next(t_offsets, t_offsets + a.cols);
  int64_t* t_columns = t.columns.data_ptr<int64_t>();
  float* t_values = t.values.data_ptr<float>();
  // Rows visited in ascending order, so each transposed row's columns come out ascending.
  for (int64_t r = 0; r < a.rows(); ++r) {
    for (int64_t j = offsets[r]; j < offsets[r + 1]; ++j) {
      const int64_t slot = next[columns[j]]++;
      t_columns[slot] = r;
      t_values[slot] = values[j];
    }
  }
  return t;
}

at::Tensor to_sparse_coo(const CsrMatrix& m, c10::Device device) {
  const int64_t* offsets = m.offsets.data_ptr<int64_t>();
  auto rows = at::empty({m.nnz()}, at::kLong);
  int64_t* row = rows.data_ptr<int64_t>();
  for (int64_t r = 0; r < m.rows(); ++r) {
    for (int64_t j = offsets[r]; j < offsets[r + 1]; ++j) row[j] = r;
  }
  return at::sparse_coo_tensor(at::stack({rows, m.columns}), m.values, {m.rows(), m.cols},
                               at::TensorOptions().dtype(at::kFloat))
      ._coalesced_(true)
      .to(device);
}

}  // namespace shiftrec
