#include "models/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "core/error.h"
#include "core/instruction_set.h"
#include "core/row_kernels.h"

namespace shiftrec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One call's tensors as raw pointers. q, k, v, out and the gradients are [B, L, d] contiguous;
// probs and keep [B, H, L, L] contiguous; allowed is read through its strides (a broadcast
// over heads, and possibly over sequences, has stride 0).
struct Problem {
  const float* q;
  const float* k;
  const float* v;
  const bool* allowed;
  int64_t allowed_b, allowed_i, allowed_j;  // strides of allowed's dims 0, 2, 3
  const float* keep;                        // nullptr: no dropout
  int64_t length, d, heads, head_dim;
  float scale;
};

struct Forward {
  float* probs;  // [B, H, L, L]: P, written here, read by the backward pass
  float* out;    // [B, L, d]
};

struct Backward {
  const float* probs;
  const float* grad_out;  // [B, L, d]
  float* grad_q;          // [B, L, d], every element written; likewise grad_k, grad_v
  float* grad_k;
  float* grad_v;
};

// Task t = (sequence b = t / H, head h = t % H): where its rows start in the [B, L, d] tensors
// (offset) and in the [B, H, L, L] ones (square), and its keep mask (nullptr: no dropout).
struct Task {
  int64_t b, offset, square;
  const float *q, *k, *v, *keep;
};

SHIFTREC_ALWAYS_INLINE Task task(const Problem& p, int64_t t) {
  const int64_t b = t / p.heads, h = t % p.heads;
  const int64_t offset = b * p.length * p.d + h * p.head_dim, square = t * p.length * p.length;
  return Task{b,
              offset,
              square,
              p.q + offset,
              p.k + offset,
              p.v + offset,
              p.keep != nullptr ? p.keep + square : nullptr};
}

// The bodies work on tiles: R rows of a product at a time, C columns of it (two vectors of the
// instruction set the function they are inlined into targets; -O3 and omp simd vectorise the
// column loop and keep the R × C accumulators in registers). Per (sequence, head) task the
// products are
//   forward   S = Q Kᵀ (scores), O = W V
//   backward  dP = dO Vᵀ, dQ = dS K, dK = dSᵀ Q, dV = Wᵀ dO
// and each is summed only over the span of keys (or, for dK and dV, of queries) that a tile's
// rows allow: a causal window does about half the arithmetic of the dense [L, L] products.
// Entries inside a span that the mask forbids get P = 0 exactly, so they add nothing.

// Per task: the allowed keys of query i lie in [row_lo[i], row_hi[i]). A row with no allowed
// key spans everything and is NaN, as softmax over -inf makes it.
struct Spans {
  std::vector<int64_t> row_lo, row_hi;
  std::vector<char> empty;
};

SHIFTREC_ALWAYS_INLINE bool is_allowed(const Problem& p, int64_t b, int64_t i, int64_t j) {
  return p.allowed[b * p.allowed_b + i * p.allowed_i + j * p.allowed_j];
}

SHIFTREC_ALWAYS_INLINE void find_spans(const Problem& p, int64_t b, Spans& s) {
  const int64_t L = p.length;
  s.row_lo.assign(L, 0);
  s.row_hi.assign(L, 0);
  s.empty.assign(L, 0);
  for (int64_t i = 0; i < L; ++i) {
    int64_t lo = 0;
    int64_t hi = L;
    if (p.allowed_j == 1) {  // a contiguous row of bools: the byte search's vector loops
      const bool* row = p.allowed + b * p.allowed_b + i * p.allowed_i;
      const void* first = std::memchr(row, 1, static_cast<size_t>(L));
      lo = first != nullptr ? static_cast<const bool*>(first) - row : L;
      const void* last = lo < L ? memrchr(row + lo, 1, static_cast<size_t>(L - lo)) : nullptr;
      hi = last != nullptr ? static_cast<const bool*>(last) - row + 1 : lo;
    } else {
      while (lo < L && !is_allowed(p, b, i, lo)) ++lo;
      while (hi > lo && !is_allowed(p, b, i, hi - 1)) --hi;
    }
    if (lo == hi) {
      s.empty[i] = 1;
      lo = 0;
      hi = L;
    }
    s.row_lo[i] = lo;
    s.row_hi[i] = hi;
  }
}

// The union of spans [row_lo[i], row_hi[i]) over rows [first, first + rows).
SHIFTREC_ALWAYS_INLINE std::pair<int64_t, int64_t> row_block_span(const Spans& s, int64_t first,
                                                                  int64_t rows) {
  int64_t lo = s.row_lo[first], hi = s.row_hi[first];
  for (int64_t r = 1; r < rows; ++r) {
    lo = std::min(lo, s.row_lo[first + r]);
    hi = std::max(hi, s.row_hi[first + r]);
  }
  return {lo, hi};
}

// The queries [lo, hi) whose spans meet keys [first, first + keys): the first and the last
// such row (empty, lo = hi, when none does).
SHIFTREC_ALWAYS_INLINE std::pair<int64_t, int64_t> column_block_span(const Spans& s, int64_t first,
                                                                     int64_t keys) {
  const int64_t L = static_cast<int64_t>(s.row_lo.size()), last = first + keys;
  auto meets = [&](int64_t i) { return s.row_lo[i] < last && s.row_hi[i] > first; };
  int64_t lo = 0;
  while (lo < L && !meets(lo)) ++lo;
  int64_t hi = L;
  while (hi > lo && !meets(hi - 1)) --hi;
  return {lo, hi};
}

// acc[r][n] = Σ_{t in [t0, t1)} A(r, t) · b[t · ldb + n], r < R, n < C, where A(r, t) =
// a[r][t · a_step], times m[r][t · a_step] when m is given (dropout's keep mask, read in A's
// layout). b is readable C columns from each row it starts; a[r] rows past the product's last
// repeat a valid one (the caller drops them).
template <int R, int C>
SHIFTREC_ALWAYS_INLINE void tile_product(const float* const (&a)[R], const float* const (&m)[R],
                                         int64_t a_step, const float* b, int64_t ldb, int64_t t0,
                                         int64_t t1, float (&acc)[R][C]) {
  for (int r = 0; r < R; ++r) {
#pragma omp simd
    for (int n = 0; n < C; ++n) acc[r][n] = 0.0F;
  }
  if (m[0] == nullptr) {
    for (int64_t t = t0; t < t1; ++t) {
      const float* b_t = b + t * ldb;
      for (int r = 0; r < R; ++r) {
        const float a_rt = a[r][t * a_step];
#pragma omp simd
        for (int n = 0; n < C; ++n) acc[r][n] += a_rt * b_t[n];
      }
    }
    return;
  }
  for (int64_t t = t0; t < t1; ++t) {
    const float* b_t = b + t * ldb;
    for (int r = 0; r < R; ++r) {
      const float a_rt = a[r][t * a_step] * m[r][t * a_step];
#pragma omp simd
      for (int n = 0; n < C; ++n) acc[r][n] += a_rt * b_t[n];
    }
  }
}

// out[r · ld_out + n] = acc[r][n] for r < rows, n < cols.
template <int R, int C>
SHIFTREC_ALWAYS_INLINE void store_tile(const float (&acc)[R][C], int64_t rows, int64_t cols,
                                       float* out, int64_t ld_out) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t n = 0; n < cols; ++n) out[r * ld_out + n] = acc[r][n];
  }
}

// Rows [first, first + rows) and columns [n_lo, n_hi) of the product A · B, into
// out[(first + r) · ld_out + n]: A(r, t) = a[(first + r) · a_row + t · a_step] (times m at the
// same place when m is given) summed over t in [t_lo, t_hi), B row-major with ldb and readable
// C columns past n_hi. The scores and dP sum over a head's dh columns and keep the rows' union
// span of keys as columns; the other products sum over that span into dh columns.
template <int R, int C>
SHIFTREC_ALWAYS_INLINE void product_rows(const float* a, const float* m, int64_t a_row,
                                         int64_t a_step, int64_t first, int64_t rows, int64_t t_lo,
                                         int64_t t_hi, const float* b, int64_t ldb, int64_t n_lo,
                                         int64_t n_hi, float* out, int64_t ld_out) {
  const float* a_rows[R];
  const float* m_rows[R];
  for (int r = 0; r < R; ++r) {
    const int64_t offset = (first + std::min<int64_t>(r, rows - 1)) * a_row;
    a_rows[r] = a + offset;
    m_rows[r] = m != nullptr ? m + offset : nullptr;
  }
  float acc[R][C];
  for (int64_t n0 = n_lo; n0 < n_hi; n0 += C) {
    tile_product<R, C>(a_rows, m_rows, a_step, b + n0, ldb, t_lo, t_hi, acc);
    store_tile<R, C>(acc, rows, std::min<int64_t>(C, n_hi - n0), out + first * ld_out + n0, ld_out);
  }
}

// One task's working copies, reused across the tasks of a thread's chunk: a head's columns of
// a [B, L, d] tensor transposed to [dh, L_pad], or copied to [L, dh_pad]; pads are C columns
// wide so tiles read whole vectors (they stay zero: only [0, L) or [0, dh) is rewritten).
struct Scratch {
  std::vector<float> transposed;
  std::vector<float> padded[3];
  std::vector<float> grad_s;
  Spans spans;
};

// out[c · ld + j] = x[j · d + c] for j < L, c < dh, in blocks of 16 rows of x, whose lines stay
// in cache while their columns are written out.
SHIFTREC_ALWAYS_INLINE void transpose_head(const float* x, int64_t L, int64_t d, int64_t dh,
                                           int64_t ld, std::vector<float>& out) {
  out.resize(static_cast<size_t>(dh * ld + ld));
  constexpr int64_t kBlock = 16;
  for (int64_t j0 = 0; j0 < L; j0 += kBlock) {
    const int64_t j1 = std::min(L, j0 + kBlock);
    for (int64_t c = 0; c < dh; ++c) {
      for (int64_t j = j0; j < j1; ++j) out[c * ld + j] = x[j * d + c];
    }
  }
}

SHIFTREC_ALWAYS_INLINE void copy_head(const float* x, int64_t L, int64_t d, int64_t dh, int64_t ld,
                                      std::vector<float>& out) {
  out.resize(static_cast<size_t>(L * ld + ld));
  for (int64_t j = 0; j < L; ++j) std::copy(x + j * d, x + j * d + dh, out.data() + j * ld);
}

constexpr int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// A masked score: finite (the row kernels' exponential makes ±inf NaN), its exponential 0.
constexpr float kMaskedScore = -1e30F;

template <int R, int C>
SHIFTREC_ALWAYS_INLINE void forward_body(const Problem& p, const Forward& f, int64_t begin,
                                         int64_t end) {
  const int64_t L = p.length, d = p.d, dh = p.head_dim;
  const int64_t ld_t = round_up(L, C) + C, ld_h = round_up(dh, C) + C;
  Scratch s;
  for (int64_t t = begin; t < end; ++t) {
    const Task task_t = task(p, t);
    float* probs = f.probs + task_t.square;
    find_spans(p, task_t.b, s.spans);
    const Spans& sp = s.spans;
    transpose_head(task_t.k, L, d, dh, ld_t, s.transposed);  // Kᵀ
    std::vector<float>& v_rows = s.padded[0];
    copy_head(task_t.v, L, d, dh, ld_h, v_rows);
    for (int64_t i0 = 0; i0 < L; i0 += R) {
      const int64_t rows = std::min<int64_t>(R, L - i0);
      const auto [lo, hi] = row_block_span(sp, i0, rows);
      product_rows<R, C>(task_t.q, nullptr, d, 1, i0, rows, 0, dh, s.transposed.data(), ld_t, lo,
                         hi, probs, L);  // S = Q Kᵀ
      for (int64_t i = i0; i < i0 + rows; ++i) {
        float* row = probs + i * L;
        const int64_t r_lo = sp.row_lo[i], r_hi = sp.row_hi[i];
        if (sp.empty[i]) {
          std::fill(row, row + L, std::numeric_limits<float>::quiet_NaN());
          continue;
        }
        std::fill(row, row + r_lo, 0.0F);
        std::fill(row + r_hi, row + L, 0.0F);
        for (int64_t j = r_lo; j < r_hi; ++j) {
          row[j] = is_allowed(p, task_t.b, i, j) ? p.scale * row[j] : kMaskedScore;
        }
        const int64_t n = r_hi - r_lo;
        const double sum = exp_in_place(row + r_lo, n, row_max(row + r_lo, n));
        scale_in_place(row + r_lo, n, static_cast<float>(1.0 / sum));
      }
      // O = W V with W = P ⊙ keep
      product_rows<R, C>(probs, task_t.keep, L, 1, i0, rows, lo, hi, v_rows.data(), ld_h, 0, dh,
                         f.out + task_t.offset, d);
    }
  }
}

template <int R, int C>
SHIFTREC_ALWAYS_INLINE void backward_body(const Problem& p, const Backward& g, int64_t begin,
                                          int64_t end) {
  const int64_t L = p.length, d = p.d, dh = p.head_dim;
  const int64_t ld_t = round_up(L, C) + C, ld_h = round_up(dh, C) + C;
  Scratch s;
  for (int64_t t = begin; t < end; ++t) {
    const Task task_t = task(p, t);
    const float* keep = task_t.keep;
    const float* probs = g.probs + task_t.square;
    const float* grad_out = g.grad_out + task_t.offset;
    find_spans(p, task_t.b, s.spans);
    const Spans& sp = s.spans;
    transpose_head(task_t.v, L, d, dh, ld_t, s.transposed);  // Vᵀ
    std::vector<float>&q_rows = s.padded[0], &k_rows = s.padded[1], &grad_out_rows = s.padded[2];
    copy_head(task_t.q, L, d, dh, ld_h, q_rows);
    copy_head(task_t.k, L, d, dh, ld_h, k_rows);
    copy_head(grad_out, L, d, dh, ld_h, grad_out_rows);
    s.grad_s.resize(static_cast<size_t>(L * L));  // dP, then dS in place; 0 outside the spans
    float* grad_s = s.grad_s.data();
    for (int64_t i0 = 0; i0 < L; i0 += R) {
      const int64_t rows = std::min<int64_t>(R, L - i0);
      const auto [lo, hi] = row_block_span(sp, i0, rows);
      product_rows<R, C>(grad_out, nullptr, d, 1, i0, rows, 0, dh, s.transposed.data(), ld_t, lo,
                         hi, grad_s, L);  // dP = dO Vᵀ
      for (int64_t i = i0; i < i0 + rows; ++i) {
        const float* p_i = probs + i * L;
        float* ds = grad_s + i * L;
        std::fill(ds, ds + lo, 0.0F);
        std::fill(ds + hi, ds + L, 0.0F);
        if (keep != nullptr) {
          const float* keep_i = keep + i * L;
#pragma omp simd
          for (int64_t j = lo; j < hi; ++j) ds[j] *= keep_i[j];
        }
        float weighted = 0.0F;  // Σ_j P[i, j] dP[i, j]
#pragma omp simd reduction(+ : weighted)
        for (int64_t j = lo; j < hi; ++j) weighted += p_i[j] * ds[j];
#pragma omp simd
        for (int64_t j = lo; j < hi; ++j) ds[j] = p.scale * p_i[j] * (ds[j] - weighted);
      }
      product_rows<R, C>(grad_s, nullptr, L, 1, i0, rows, lo, hi, k_rows.data(), ld_h, 0, dh,
                         g.grad_q + task_t.offset, d);  // dQ = dS K
    }
    for (int64_t j0 = 0; j0 < L; j0 += R) {
      const int64_t rows = std::min<int64_t>(R, L - j0);
      const auto [lo, hi] = column_block_span(sp, j0, rows);
      product_rows<R, C>(grad_s, nullptr, 1, L, j0, rows, lo, hi, q_rows.data(), ld_h, 0, dh,
                         g.grad_k + task_t.offset, d);  // dK = dSᵀ Q
      // dV = Wᵀ dO with W = P ⊙ keep
      product_rows<R, C>(probs, keep, 1, L, j0, rows, lo, hi, grad_out_rows.data(), ld_h, 0, dh,
                         g.grad_v + task_t.offset, d);
    }
  }
}

using ForwardKernel = void (*)(const Problem&, const Forward&, int64_t, int64_t);
using BackwardKernel = void (*)(const Problem&, const Backward&, int64_t, int64_t);

// Tiles of two vectors' width of columns, by as many rows as leave registers for the operands:
// 4 with 16 vector registers (SSE, AVX2), 8 with AVX-512's 32 (8 rows measured 1.2-1.35x
// faster than 4 there, bench/attention_kernel; 12 rows, or 6 by four vectors, no better).
#define SHIFTREC_ATTENTION_KERNELS(name, attributes, rows, columns)                                \
  attributes void forward_##name(const Problem& p, const Forward& f, int64_t begin, int64_t end) { \
    forward_body<rows, columns>(p, f, begin, end);                                                 \
  }                                                                                                \
  attributes void backward_##name(const Problem& p, const Backward& g, int64_t begin,              \
                                  int64_t end) {                                                   \
    backward_body<rows, columns>(p, g, begin, end);                                                \
  }

SHIFTREC_ATTENTION_KERNELS(baseline, , 4, 8)
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
SHIFTREC_ATTENTION_KERNELS(avx2, SHIFTREC_TARGET_AVX2, 4, 16)
SHIFTREC_ATTENTION_KERNELS(avx512, SHIFTREC_TARGET_AVX512, 8, 32)
#endif

struct Kernels {
  ForwardKernel forward;
  BackwardKernel backward;
  InstructionSet set;
};

Kernels kernels_for(InstructionSet set) {
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
  if (set == InstructionSet::kAvx512) return {forward_avx512, backward_avx512, set};
  if (set == InstructionSet::kAvx2) return {forward_avx2, backward_avx2, set};
#endif
  (void)set;  // unused without the per-set kernels
  return {forward_baseline, backward_baseline, InstructionSet::kBaseline};
}

using Choice = KernelChoice<Kernels, kernels_for>;
Kernels& kernels() { return Choice::table(); }

// Tasks per thread chunk: one task is L² dh multiply-adds twice (about 0.25 M at L = d = 50).
constexpr int64_t kTaskGrain = 4;

Problem problem(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                const at::Tensor& allowed, const at::Tensor& keep, int64_t heads, double scale) {
  const int64_t L = q.size(1), d = q.size(2);
  return Problem{q.data_ptr<float>(),
                 k.data_ptr<float>(),
                 v.data_ptr<float>(),
                 allowed.data_ptr<bool>(),
                 allowed.stride(0),
                 allowed.stride(2),
                 allowed.stride(3),
                 keep.numel() > 0 ? keep.data_ptr<float>() : nullptr,
                 L,
                 d,
                 heads,
                 d / heads,
                 static_cast<float>(scale)};
}

struct FusedAttention : public torch::autograd::Function<FusedAttention> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q_in, const at::Tensor& k_in,
                            const at::Tensor& v_in, const at::Tensor& allowed_in,
                            const at::Tensor& keep_in, int64_t heads, double scale) {
    const at::Tensor q = q_in.contiguous(), k = k_in.contiguous(), v = v_in.contiguous();
    const int64_t B = q.size(0), L = q.size(1), d = q.size(2);
    const at::Tensor allowed = allowed_in.expand({B, 1, L, L});
    const at::Tensor keep = keep_in.contiguous();  // empty: no dropout
    at::Tensor probs = at::empty({B, heads, L, L}, q.options());
    at::Tensor out = at::empty({B, L, d}, q.options());
    const Problem p = problem(q, k, v, allowed, keep, heads, scale);
    const Forward f{probs.data_ptr<float>(), out.data_ptr<float>()};
    const ForwardKernel kernel = kernels().forward;
    at::parallel_for(0, B * heads, kTaskGrain,
                     [&](int64_t begin, int64_t end) { kernel(p, f, begin, end); });
    ctx->save_for_backward({q, k, v, allowed, probs, keep});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["scale"] = scale;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &allowed = saved[3],
                     &probs = saved[4], &keep = saved[5];
    const int64_t heads = ctx->saved_data["heads"].toInt();
    const double scale = ctx->saved_data["scale"].toDouble();
    const at::Tensor grad_out = grad_outputs[0].contiguous();
    at::Tensor grad_q = at::empty_like(q), grad_k = at::empty_like(k), grad_v = at::empty_like(v);
    const Problem p = problem(q, k, v, allowed, keep, heads, scale);
    const Backward g{probs.data_ptr<float>(), grad_out.data_ptr<float>(), grad_q.data_ptr<float>(),
                     grad_k.data_ptr<float>(), grad_v.data_ptr<float>()};
    const BackwardKernel kernel = kernels().backward;
    at::parallel_for(0, q.size(0) * heads, kTaskGrain,
                     [&](int64_t begin, int64_t end) { kernel(p, g, begin, end); });
    const at::Tensor none;
    return {grad_q, grad_k, grad_v, none, none, none, none};
  }
};

}  // namespace

bool fused_attention_supports(const at::Tensor& q) {
  return q.device().is_cpu() && q.scalar_type() == at::kFloat;
}

at::Tensor fused_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                           const at::Tensor& allowed, const at::Tensor& keep, int64_t heads,
                           double scale) {
  SHIFTREC_ASSERT(q.dim() == 3 && q.sizes() == k.sizes() && q.sizes() == v.sizes() && heads >= 1 &&
                      q.size(2) % heads == 0,
                  "fused_attention: q, k, v [B, L, d] with heads dividing d");
  SHIFTREC_ASSERT(
      fused_attention_supports(q) && fused_attention_supports(k) && fused_attention_supports(v),
      "fused_attention: float CPU tensors only");
  const int64_t B = q.size(0), L = q.size(1);
  SHIFTREC_ASSERT(allowed.scalar_type() == at::kBool && allowed.dim() == 4,
                  "fused_attention: allowed [B, 1, L, L] bool");
  SHIFTREC_ASSERT(!keep.defined() || (keep.scalar_type() == at::kFloat &&
                                      keep.sizes() == at::IntArrayRef({B, heads, L, L})),
                  "fused_attention: keep [B, heads, L, L] float");
  // An autograd function's inputs are defined tensors: an empty one stands for no dropout.
  return FusedAttention::apply(q, k, v, allowed,
                               keep.defined() ? keep : at::empty({0}, q.options()), heads, scale);
}

const char* attention_kernel_isa() { return Choice::name(); }

bool use_attention_kernel_isa(const std::string& isa) { return Choice::use(isa); }

}  // namespace shiftrec
