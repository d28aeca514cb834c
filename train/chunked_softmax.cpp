#include "train/chunked_softmax.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "core/error.h"

namespace shiftrec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ChunkedSoftmaxCrossEntropy
    : public torch::autograd::Function<ChunkedSoftmaxCrossEntropy> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& states,
                            const at::Tensor& table, const at::Tensor& targets, int64_t chunk) {
    const int64_t n = states.size(0);
    at::Tensor log_normaliser = at::empty({n}, states.options());
    at::Tensor total = at::zeros({}, states.options());
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t end = std::min(n, start + chunk);
      const at::Tensor logits = at::matmul(states.slice(0, start, end), table.t());  // [c, I]
      const at::Tensor lse = at::logsumexp(logits, 1);
      const at::Tensor picked = logits.gather(1, targets.slice(0, start, end).unsqueeze(1));
      total += (lse - picked.squeeze(1)).sum();
      log_normaliser.slice(0, start, end).copy_(lse);
    }
    ctx->save_for_backward({states, table, targets, log_normaliser});
    ctx->saved_data["chunk"] = chunk;
    return total / static_cast<double>(std::max<int64_t>(n, 1));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& states = saved[0];
    const at::Tensor& table = saved[1];
    const at::Tensor& targets = saved[2];
    const at::Tensor& log_normaliser = saved[3];
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const int64_t n = states.size(0);
    // d loss / d logits = (softmax − onehot) · g / N, one chunk at a time.
    const at::Tensor scale = grad_outputs[0] / static_cast<double>(std::max<int64_t>(n, 1));
    at::Tensor grad_states = at::empty_like(states);
    at::Tensor grad_table = at::zeros_like(table);
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t end = std::min(n, start + chunk);
      const at::Tensor rows = states.slice(0, start, end);
      at::Tensor probabilities = at::matmul(rows, table.t());  // [c, I], reused in place
      probabilities.sub_(log_normaliser.slice(0, start, end).unsqueeze(1)).exp_();
      const at::Tensor picked = targets.slice(0, start, end).unsqueeze(1);
      probabilities.scatter_add_(1, picked, at::full_like(picked, -1.0, probabilities.options()));
      probabilities.mul_(scale);
      grad_states.slice(0, start, end).copy_(at::matmul(probabilities, table));
      grad_table.addmm_(probabilities.t(), rows);
    }
    return {grad_states, grad_table, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor chunked_softmax_cross_entropy(const at::Tensor& states, const at::Tensor& table,
                                         const at::Tensor& targets, int64_t chunk) {
  SHIFTREC_ASSERT(states.dim() == 2 && table.dim() == 2 && states.size(1) == table.size(1) &&
                      targets.dim() == 1 && targets.size(0) == states.size(0) && chunk >= 1,
                  "chunked_softmax_cross_entropy: states [N, d], table [I, d], targets [N]");
  return ChunkedSoftmaxCrossEntropy::apply(states, table, targets, chunk);
}

}  // namespace shiftrec
