#include "models/csr_kernel.h"

#include <algorithm>
#include <optional>
#include <string>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/error.h"
#include "core/instruction_set.h"

namespace shiftrec {

namespace {

constexpr int64_t kPrefetchAhead = 8;

// One product's operands: out row i = sum over row rows[i] (i itself when rows is null) of a
// of values[j] * source row columns[j].
struct Gather {
  const int64_t* offsets;
  const int64_t* columns;
  const float* values;
  const float* source;
  float* target;
  const int64_t* rows;
  int64_t d;
  int64_t nnz;
};

// out[columns[j]] += values[j] * grad row i over the entries j of row rows[i], for the columns
// in [begin, end) only (each thread owns a range of output rows: no two write one row).
struct Scatter {
  const int64_t* offsets;
  const int64_t* columns;
  const float* values;
  const float* grad;
  float* target;
  const int64_t* rows;
  int64_t n_rows;
  int64_t d;
};

SHIFTREC_ALWAYS_INLINE void prefetch_row(const float* row, int64_t d) {
#if defined(__GNUC__)
  for (int64_t k = 0; k < d; k += 16) __builtin_prefetch(row + k);  // one 64-byte line each
#else
  (void)row;
  (void)d;
#endif
}

// kWidth > 0: the width is kWidth and the output row stays in registers while its neighbours
// are summed; 0: any width, summed in place.
template <int64_t kWidth>
SHIFTREC_ALWAYS_INLINE void gather_rows(const Gather& g, int64_t begin, int64_t end) {
  const int64_t d = kWidth > 0 ? kWidth : g.d;
  for (int64_t i = begin; i < end; ++i) {
    const int64_t r = g.rows != nullptr ? g.rows[i] : i;
    float* __restrict out = g.target + i * d;
    float acc[kWidth > 0 ? kWidth : 1];
    float* __restrict sum = kWidth > 0 ? acc : out;
    for (int64_t k = 0; k < d; ++k) sum[k] = 0.0f;
    for (int64_t j = g.offsets[r]; j < g.offsets[r + 1]; ++j) {
      // The rows gathered are scattered over the table: fetch the one kPrefetchAhead entries
      // on while this one is summed (1.4x on Gowalla, bench/README.md).
      if (j + kPrefetchAhead < g.nnz) prefetch_row(g.source + g.columns[j + kPrefetchAhead] * d, d);
      const float w = g.values[j];
      const float* __restrict from = g.source + g.columns[j] * d;
      for (int64_t k = 0; k < d; ++k) sum[k] += w * from[k];
    }
    if (kWidth > 0) {
      for (int64_t k = 0; k < d; ++k) out[k] = sum[k];
    }
  }
}

template <int64_t kWidth>
SHIFTREC_ALWAYS_INLINE void scatter_rows(const Scatter& s, int64_t begin, int64_t end) {
  const int64_t d = kWidth > 0 ? kWidth : s.d;
  for (int64_t i = 0; i < s.n_rows; ++i) {
    const int64_t r = s.rows[i];
    const float* __restrict from = s.grad + i * d;
    for (int64_t j = s.offsets[r]; j < s.offsets[r + 1]; ++j) {
      const int64_t c = s.columns[j];
      if (c < begin || c >= end) continue;
      const float w = s.values[j];
      float* __restrict to = s.target + c * d;
      for (int64_t k = 0; k < d; ++k) to[k] += w * from[k];
    }
  }
}

using GatherKernel = void (*)(const Gather&, int64_t, int64_t);
using ScatterKernel = void (*)(const Scatter&, int64_t, int64_t);

// One pair of kernels per instruction set; the bodies are the templates above, inlined into
// functions compiled for that set.
#define SHIFTREC_CSR_KERNELS(name, attributes)                                   \
  attributes void gather_##name(const Gather& g, int64_t begin, int64_t end) {   \
    if (g.d == 64) {                                                             \
      gather_rows<64>(g, begin, end);                                            \
    } else {                                                                     \
      gather_rows<0>(g, begin, end);                                             \
    }                                                                            \
  }                                                                              \
  attributes void scatter_##name(const Scatter& s, int64_t begin, int64_t end) { \
    if (s.d == 64) {                                                             \
      scatter_rows<64>(s, begin, end);                                           \
    } else {                                                                     \
      scatter_rows<0>(s, begin, end);                                            \
    }                                                                            \
  }

SHIFTREC_CSR_KERNELS(baseline, )
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
SHIFTREC_CSR_KERNELS(avx2, SHIFTREC_TARGET_AVX2)
SHIFTREC_CSR_KERNELS(avx512, SHIFTREC_TARGET_AVX512)
#endif

struct Kernels {
  GatherKernel gather;
  ScatterKernel scatter;
  InstructionSet set;
};

Kernels kernels_for(InstructionSet set) {
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
  if (set == InstructionSet::kAvx512) return {gather_avx512, scatter_avx512, set};
  if (set == InstructionSet::kAvx2) return {gather_avx2, scatter_avx2, set};
#endif
  (void)set;  // unused without the per-set kernels
  return {gather_baseline, scatter_baseline, InstructionSet::kBaseline};
}

using Choice = KernelChoice<Kernels, kernels_for>;
Kernels& kernels() { return Choice::table(); }

at::Tensor float_matrix(const at::Tensor& t, int64_t rows, const char* what) {
  SHIFTREC_ASSERT(
      t.dim() == 2 && t.size(0) == rows && t.scalar_type() == at::kFloat && t.device().is_cpu(),
      std::string("csr kernel: ") + what + " must be a float CPU matrix [" + std::to_string(rows) +
          ", d]");
  return t.contiguous();
}

at::Tensor row_list(const at::Tensor& rows, int64_t bound) {
  SHIFTREC_ASSERT(rows.dim() == 1 && rows.scalar_type() == at::kLong && rows.device().is_cpu(),
                  "csr kernel: rows must be a 1-d int64 CPU tensor");
  at::Tensor r = rows.contiguous();
  if (r.numel() > 0) {
    SHIFTREC_ASSERT(r.min().item<int64_t>() >= 0 && r.max().item<int64_t>() < bound,
                    "csr kernel: a row outside the matrix");
  }
  return r;
}

at::Tensor gather(const CsrMatrix& a, const at::Tensor& rows, int64_t n_out,
                  const at::Tensor& dense) {
  const at::Tensor x = float_matrix(dense, a.cols, "dense");
  const int64_t d = x.size(1);
  at::Tensor out = at::empty({n_out, d}, x.options());
  const Gather g{a.offsets.data_ptr<int64_t>(),
                 a.columns.data_ptr<int64_t>(),
                 a.values.data_ptr<float>(),
                 x.data_ptr<float>(),
                 out.data_ptr<float>(),
                 rows.defined() ? rows.data_ptr<int64_t>() : nullptr,
                 d,
                 a.nnz()};
  const GatherKernel kernel = kernels().gather;
  at::parallel_for(0, n_out, 256, [&](int64_t begin, int64_t end) { kernel(g, begin, end); });
  return out;
}

}  // namespace

at::Tensor csr_times_dense(const CsrMatrix& a, const at::Tensor& dense) {
  return gather(a, at::Tensor(), a.rows(), dense);
}

at::Tensor csr_rows_times_dense(const CsrMatrix& a, const at::Tensor& rows,
                                const at::Tensor& dense) {
  const at::Tensor r = row_list(rows, a.rows());
  return gather(a, r, r.numel(), dense);
}

at::Tensor csr_rows_transposed_times(const CsrMatrix& a, const at::Tensor& rows,
                                     const at::Tensor& grad) {
  const at::Tensor r = row_list(rows, a.rows());
  const at::Tensor g = float_matrix(grad, r.numel(), "grad");
  const int64_t d = g.size(1);
  at::Tensor out = at::zeros({a.cols, d}, g.options());
  const Scatter s{a.offsets.data_ptr<int64_t>(),
                  a.columns.data_ptr<int64_t>(),
                  a.values.data_ptr<float>(),
                  g.data_ptr<float>(),
                  out.data_ptr<float>(),
                  r.data_ptr<int64_t>(),
                  r.numel(),
                  d};
  const ScatterKernel kernel = kernels().scatter;
  // One range of output rows per thread: every thread reads all selected rows' entries and
  // adds those that land in its range, so each output row is summed in one fixed order.
  const int64_t threads = std::max<int64_t>(at::get_num_threads(), 1);
  const int64_t grain = std::max<int64_t>((a.cols + threads - 1) / threads, 1);
  at::parallel_for(0, a.cols, grain, [&](int64_t begin, int64_t end) { kernel(s, begin, end); });
  return out;
}

const char* csr_kernel_isa() { return Choice::name(); }

bool use_csr_kernel_isa(const std::string& isa) { return Choice::use(isa); }

}  // namespace shiftrec
