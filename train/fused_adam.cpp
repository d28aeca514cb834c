#include "train/fused_adam.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/utils.h>

#include "core/error.h"

namespace shiftrec {
namespace {

// torch::optim::Optimizer keys its per-parameter state by the TensorImpl's address: as text in
// LibTorch 1.x, as the pointer itself in later versions. The one place that differs.
template <typename Map>
typename Map::key_type state_key(const Map& /*map*/, const at::Tensor& p) {
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    return c10::guts::to_string(p.unsafeGetTensorImpl());
  } else {
    return p.unsafeGetTensorImpl();
  }
}

bool fusable(const at::Tensor& p) {
  const at::Tensor& g = p.grad();
  if (p.scalar_type() != at::kFloat || !p.device().is_cpu() || !p.is_contiguous() ||
      g.scalar_type() != at::kFloat || g.sizes() != p.sizes()) {
    return false;
  }
  if (g.is_sparse()) return p.dim() == 2 && g.sparse_dim() == 1;  // rows of a table
  return g.is_contiguous();
}

struct Update {
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float weight_decay;      // 0: none
  float sqrt_correction2;  // sqrt(1 - beta2^t)
  float eps;
  float minus_step_size;  // -lr / (1 - beta1^t)
};

// torch's sequence per element, rounding where its CPU kernels round: with vectorised
// kernels that fuse multiply-adds (ATen's AVX2 and AVX-512 code) the moment updates and the
// weight decay are fused multiply-adds, without them (ATen's default code) a product and a
// sum; the rest is one IEEE operation at a time either way (this file is compiled without
// contraction). Bit for bit torch's result (tests/train/test_fused_adam.cpp):
//   g += wd p; m = m b1 + (1 - b1) g; v = v b2 + ((1 - b2) g) g;
//   p += (-step_size m) / (sqrt(v) / sqrt(1 - b2^t) + eps)
template <bool kFused>
inline __attribute__((always_inline)) float multiply_add(float a, float b, float c) {
  if constexpr (kFused) {
    return std::fma(a, b, c);
  } else {
    return a * b + c;
  }
}

template <bool kFused>
inline __attribute__((always_inline)) void update_range(const Update& u, float* __restrict p,
                                                        const float* __restrict grad,
                                                        float* __restrict m, float* __restrict v,
                                                        int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float g =
        u.weight_decay != 0.0f ? multiply_add<kFused>(p[i], u.weight_decay, grad[i]) : grad[i];
    const float m1 = multiply_add<kFused>(g, u.one_minus_beta1, m[i] * u.beta1);
    const float v1 = multiply_add<kFused>(u.one_minus_beta2 * g, g, v[i] * u.beta2);
    m[i] = m1;
    v[i] = v1;
    const float denom = std::sqrt(v1) / u.sqrt_correction2 + u.eps;
    p[i] = p[i] + (u.minus_step_size * m1) / denom;
  }
}

using UpdateKernel = void (*)(const Update&, float*, const float*, float*, float*, int64_t,
                              int64_t);

void update_plain(const Update& u, float* p, const float* g, float* m, float* v, int64_t begin,
                  int64_t end) {
  update_range<false>(u, p, g, m, v, begin, end);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) void update_fused(const Update& u, float* p, const float* g,
                                                      float* m, float* v, int64_t begin,
                                                      int64_t end) {
  update_range<true>(u, p, g, m, v, begin, end);
}
#endif

// As ATen picks its kernels: the vectorised ones where the CPU has AVX2 and FMA, unless
// ATEN_CPU_CAPABILITY=default asks for the plain ones.
UpdateKernel pick_update() {
#if defined(__x86_64__) && defined(__GNUC__)
  const char* capability = std::getenv("ATEN_CPU_CAPABILITY");
  const bool plain = capability != nullptr && std::string(capability) == "default";
  __builtin_cpu_init();
  if (!plain && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return update_fused;
  }
#endif
  return update_plain;
}

// A row-sparse gradient's distinct rows and each one's gradient: where a row is given once,
// its entry in the sparse tensor's values; where it is given more than once, the entries summed
// in the order they come (what coalescing a sparse tensor computes, without sorting the rows:
// a sampled LightGCN batch gives some 300 k rows, and coalescing them was a fifth of its step).
struct RowGradients {
  std::vector<int64_t> rows;
  std::vector<const float*> values;  // [rows.size()] pointers to `width` floats
  at::Tensor sparse_values;          // keeps the single entries alive
  std::vector<float> sums;           // the repeated rows' sums
};

RowGradients sum_repeated_rows(const at::Tensor& sparse, int64_t table_rows) {
  RowGradients out;
  const at::Tensor indices = sparse._indices().select(0, 0).contiguous();
  out.sparse_values = sparse._values().contiguous();
  const int64_t n = indices.numel();
  const int64_t width = n == 0 ? 0 : out.sparse_values.numel() / n;
  const int64_t* row = indices.data_ptr<int64_t>();
  const float* values = out.sparse_values.data_ptr<float>();
  // table row -> where its gradient is: >= 0 its single entry, <= -2 the sum -(slot + 2), -1
  // none yet. Kept across steps (reset after each), so a step costs its entries, not the table.
  static thread_local std::vector<int64_t> where;
  if (static_cast<int64_t>(where.size()) < table_rows) where.resize(table_rows, -1);
  for (int64_t i = 0; i < n; ++i) {
    SHIFTREC_ASSERT(row[i] >= 0 && row[i] < table_rows,
                    "a sparse gradient's row outside its table");
  }
  std::vector<int64_t> first;  // each distinct row's first entry
  for (int64_t i = 0; i < n; ++i) {
    int64_t& at = where[row[i]];
    const float* entry = values + i * width;
    if (at == -1) {
      at = i;
      first.push_back(i);
      continue;
    }
    if (at >= 0) {  // a second entry: start the row's sum from its first one
      const auto slot = static_cast<int64_t>(out.sums.size()) / std::max<int64_t>(width, 1);
      out.sums.insert(out.sums.end(), values + at * width, values + (at + 1) * width);
      at = -(slot + 2);
    }
    float* sum = out.sums.data() + (-at - 2) * width;
    for (int64_t c = 0; c < width; ++c) sum[c] += entry[c];
  }
  out.rows.reserve(first.size());
  out.values.reserve(first.size());
  for (int64_t i : first) {
    int64_t& at = where[row[i]];
    out.rows.push_back(row[i]);
    out.values.push_back(at >= 0 ? values + at * width : out.sums.data() + (-at - 2) * width);
    at = -1;
  }
  return out;
}

}  // namespace

void fused_adam_step(torch::optim::Adam& optimizer) {
  for (const auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (const auto& p : group.params()) {
      if (p.grad().defined() && (options.amsgrad() || !fusable(p))) {
        if (p.grad().is_sparse()) {  // torch's Adam refuses sparse gradients with less to go on
          throw UserError(
              "model.sparse_gradients: the lazy Adam step runs on the CPU without "
              "AMSGrad only; train on the CPU or set sparse_gradients = false");
        }
        optimizer.step();  // torch's own arithmetic for all: no parameter is stepped twice
        return;
      }
    }
  }
  torch::NoGradGuard no_grad;
  auto& states = optimizer.state();
  for (auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto key = state_key(states, p);
      auto found = states.find(key);
      if (found == states.end()) {  // as torch::optim::Adam::step creates it
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
        found = states.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*found->second);
      SHIFTREC_ASSERT(state.exp_avg().is_contiguous() && state.exp_avg_sq().is_contiguous() &&
                          state.exp_avg().numel() == p.numel(),
                      "Adam's moments do not match their parameter");
      state.step(state.step() + 1);
      const double correction1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double correction2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
      const Update u{static_cast<float>(beta1),
                     static_cast<float>(1.0 - beta1),
                     static_cast<float>(beta2),
                     static_cast<float>(1.0 - beta2),
                     static_cast<float>(options.weight_decay()),
                     static_cast<float>(std::sqrt(correction2)),
                     static_cast<float>(options.eps()),
                     static_cast<float>(-options.lr() / correction1)};
      float* param = p.data_ptr<float>();
      float* m = state.exp_avg().data_ptr<float>();
      float* v = state.exp_avg_sq().data_ptr<float>();
      static const UpdateKernel kernel = pick_update();
      if (p.grad().is_sparse()) {  // lazy: only the rows with a gradient, repeats summed
        const RowGradients g = sum_repeated_rows(p.grad(), p.size(0));
        const int64_t width = p.size(1);
        // The rows lie scattered over tables of hundreds of MB: each is fetched a few rows
        // ahead (at 1 M users that took a sampled LightGCN batch from about 0.24 to 0.19 s).
        constexpr int64_t kAhead = 6;
        constexpr int64_t kLine = 64 / sizeof(float);
        at::parallel_for(
            0, static_cast<int64_t>(g.rows.size()), 512, [&](int64_t begin, int64_t end) {
              for (int64_t r = begin; r < end; ++r) {
                if (r + kAhead < end) {
                  const int64_t ahead = g.rows[r + kAhead] * width;
                  for (int64_t c = 0; c < width; c += kLine) {
                    __builtin_prefetch(param + ahead + c, 1);
                    __builtin_prefetch(m + ahead + c, 1);
                    __builtin_prefetch(v + ahead + c, 1);
                    __builtin_prefetch(g.values[r + kAhead] + c, 0);
                  }
                }
                const int64_t offset = g.rows[r] * width;
                kernel(u, param + offset, g.values[r], m + offset, v + offset, 0, width);
              }
            });
        continue;
      }
      const float* grad = p.grad().data_ptr<float>();
      at::parallel_for(0, p.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
        kernel(u, param, grad, m, v, begin, end);
      });
    }
  }
}

}  // namespace shiftrec
