#include "models/attention_kernel.h"

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "core/error.h"
#include "core/instruction_set.h"

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
  float* grad_q;          // [B, L, d], zero on entry; likewise grad_k, grad_v
  float* grad_k;
  float* grad_v;
};

// The bodies: inner loops over one head's dh columns, vectorised at -O3 (this file's setting)
// in whichever instruction set the function they are inlined into targets.

SHIFTREC_ALWAYS_INLINE float dot(const float* a, const float* b, int64_t n) {
  float sum = 0.0F;
#pragma omp simd reduction(+ : sum)
  for (int64_t c = 0; c < n; ++c) sum += a[c] * b[c];
  return sum;
}

SHIFTREC_ALWAYS_INLINE void axpy(float* y, float alpha, const float* x, int64_t n) {
#pragma omp simd
  for (int64_t c = 0; c < n; ++c) y[c] += alpha * x[c];
}

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

// Tasks [begin, end) of B·H.
SHIFTREC_ALWAYS_INLINE void forward_body(const Problem& p, const Forward& f, int64_t begin,
                                         int64_t end) {
  const int64_t L = p.length, d = p.d, dh = p.head_dim;
  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
  for (int64_t t = begin; t < end; ++t) {
    const Task task_t = task(p, t);
    const float *q = task_t.q, *k = task_t.k, *v = task_t.v, *keep = task_t.keep;
    float* out = f.out + task_t.offset;
    float* probs = f.probs + task_t.square;
    for (int64_t i = 0; i < L; ++i) {
      const bool* allowed = p.allowed + task_t.b * p.allowed_b + i * p.allowed_i;
      float* row = probs + i * L;
      float max = kMinusInf;
      for (int64_t j = 0; j < L; ++j) {
        if (allowed[j * p.allowed_j]) {
          row[j] = p.scale * dot(q + i * d, k + j * d, dh);
          max = std::max(max, row[j]);
        } else {
          row[j] = kMinusInf;
        }
      }
      float sum = 0.0F;
      for (int64_t j = 0; j < L; ++j) {
        row[j] = row[j] == kMinusInf ? 0.0F : std::exp(row[j] - max);
        sum += row[j];
      }
      const float inverse = 1.0F / sum;  // no allowed key: 0 · inf = NaN, as softmax gives
      float* out_i = out + i * d;
      for (int64_t c = 0; c < dh; ++c) out_i[c] = 0.0F;
      for (int64_t j = 0; j < L; ++j) {
        row[j] *= inverse;
        const float w = keep != nullptr ? row[j] * keep[i * L + j] : row[j];
        if (w != 0.0F) axpy(out_i, w, v + j * d, dh);
      }
    }
  }
}

// Where P[i, j] = 0 (a masked key, or one whose weight underflowed) nothing flows back:
// dS = P (...) and W = P keep are 0, so those keys are skipped exactly.
SHIFTREC_ALWAYS_INLINE void backward_body(const Problem& p, const Backward& g, int64_t begin,
                                          int64_t end) {
  const int64_t L = p.length, d = p.d, dh = p.head_dim;
  std::vector<float> grad_p(static_cast<size_t>(L));
  for (int64_t t = begin; t < end; ++t) {
    const Task task_t = task(p, t);
    const float *q = task_t.q, *k = task_t.k, *v = task_t.v, *keep = task_t.keep;
    const float* grad_out = g.grad_out + task_t.offset;
    float* grad_q = g.grad_q + task_t.offset;
    float* grad_k = g.grad_k + task_t.offset;
    float* grad_v = g.grad_v + task_t.offset;
    const float* probs = g.probs + task_t.square;
    for (int64_t i = 0; i < L; ++i) {
      const float* row = probs + i * L;
      const float* go = grad_out + i * d;
      float weighted = 0.0F;  // Σ_j P[i, j] dP[i, j]
      for (int64_t j = 0; j < L; ++j) {
        if (row[j] == 0.0F) continue;
        const float kept = keep != nullptr ? keep[i * L + j] : 1.0F;
        const float w = row[j] * kept;
        if (w != 0.0F) axpy(grad_v + j * d, w, go, dh);
        grad_p[j] = kept * dot(go, v + j * d, dh);
        weighted += row[j] * grad_p[j];
      }
      for (int64_t j = 0; j < L; ++j) {
        if (row[j] == 0.0F) continue;
        const float grad_s = p.scale * row[j] * (grad_p[j] - weighted);
        axpy(grad_q + i * d, grad_s, k + j * d, dh);
        axpy(grad_k + j * d, grad_s, q + i * d, dh);
      }
    }
  }
}

using ForwardKernel = void (*)(const Problem&, const Forward&, int64_t, int64_t);
using BackwardKernel = void (*)(const Problem&, const Backward&, int64_t, int64_t);

#define SHIFTREC_ATTENTION_KERNELS(name, attributes)                                               \
  attributes void forward_##name(const Problem& p, const Forward& f, int64_t begin, int64_t end) { \
    forward_body(p, f, begin, end);                                                                \
  }                                                                                                \
  attributes void backward_##name(const Problem& p, const Backward& g, int64_t begin,              \
                                  int64_t end) {                                                   \
    backward_body(p, g, begin, end);                                                               \
  }

SHIFTREC_ATTENTION_KERNELS(baseline, )
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
SHIFTREC_ATTENTION_KERNELS(avx2, SHIFTREC_TARGET_AVX2)
SHIFTREC_ATTENTION_KERNELS(avx512, SHIFTREC_TARGET_AVX512)
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
    at::Tensor grad_q = at::zeros_like(q), grad_k = at::zeros_like(k), grad_v = at::zeros_like(v);
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
