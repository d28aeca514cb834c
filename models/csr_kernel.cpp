#include "models/csr_kernel.h"

#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/error.h"

namespace shiftrec {

CsrRows csr_from_coo(const at::Tensor& coo) {
  SHIFTREC_ASSERT(coo.is_sparse() && coo.is_coalesced() && coo.dim() == 2,
                  "csr_from_coo needs a coalesced 2-d sparse COO tensor");
  const at::Tensor indices = coo._indices().contiguous();
  const int64_t rows = coo.size(0);
  CsrRows out;
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

CsrRows transposed(const CsrRows& a) {
  const int64_t nnz = a.columns.numel();
  CsrRows t;
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

namespace {

constexpr int64_t kPrefetchAhead = 8;

void prefetch_row(const float* row, int64_t d) {
#if defined(__GNUC__)
  for (int64_t k = 0; k < d; k += 16) __builtin_prefetch(row + k);  // one 64-byte line each
#else
  (void)row;
  (void)d;
#endif
}

}  // namespace

at::Tensor csr_times_dense(const CsrRows& a, const at::Tensor& dense) {
  SHIFTREC_ASSERT(dense.dim() == 2 && dense.size(0) == a.cols &&
                      dense.scalar_type() == at::kFloat && dense.device().is_cpu(),
                  "csr_times_dense: dense must be a float CPU matrix with one row per column");
  const at::Tensor x = dense.contiguous();
  const int64_t d = x.size(1);
  at::Tensor out = at::empty({a.rows(), d}, x.options());
  const int64_t* offsets = a.offsets.data_ptr<int64_t>();
  const int64_t* columns = a.columns.data_ptr<int64_t>();
  const float* values = a.values.data_ptr<float>();
  const float* source = x.data_ptr<float>();
  float* target = out.data_ptr<float>();
  const int64_t nnz = a.columns.numel();
  at::parallel_for(0, a.rows(), 256, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      float* __restrict row = target + r * d;
      for (int64_t k = 0; k < d; ++k) row[k] = 0.0f;
      for (int64_t j = offsets[r]; j < offsets[r + 1]; ++j) {
        // The rows gathered are scattered over the table: fetch the one kPrefetchAhead
        // entries on while this one is summed (1.4x on Gowalla, bench/README.md).
        if (j + kPrefetchAhead < nnz) prefetch_row(source + columns[j + kPrefetchAhead] * d, d);
        const float w = values[j];
        const float* __restrict from = source + columns[j] * d;
        for (int64_t k = 0; k < d; ++k) row[k] += w * from[k];
      }
    }
  });
  return out;
}

}  // namespace shiftrec
