#include "train/chunked_softmax.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "core/error.h"
#include "core/row_kernels.h"
#include "train/mixed_precision.h"

namespace shiftrec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The [c, I] logits of a chunk, in a buffer each thread keeps and reuses: a block that large
// (223 MB for 1,024 positions x 54,542 items) comes back from the allocator faulted in afresh
// on a thread with an arena of its own (a batch shard's, train/batch_shards.h) — two shards
// of SASRec+ on BERT4Rec's Beauty spent 30 s of system time per epoch on it (1.7 min per
// epoch against 64 s in one pass).
at::Tensor logits_buffer(int64_t rows, int64_t items, const at::TensorOptions& options) {
  thread_local at::Tensor buffer;
  const int64_t needed = rows * items;
  if (!buffer.defined() || buffer.numel() < needed || buffer.options().dtype() != options.dtype() ||
      buffer.device() != options.device()) {
    buffer = at::Tensor();  // the old one goes first
    buffer = at::empty({needed}, options);
  }
  return buffer.narrow(0, 0, needed).view({rows, items});
}

std::atomic<bool> operator_softmax_rows{false};

// The softmax over a chunk's logits p [c, I] (float32, contiguous), in place, with the CPU row
// kernels: each row's maximum, its exponentials and their sum, and, with gradients, the row
// scaled to the softmax and the one-hot taken off, all while the row (48 KB at 12 k items) is
// in cache. Returns the chunk's summed loss; p then holds (softmax − onehot) · inverse_n.
double softmax_rows_in_place(const at::Tensor& p, const int64_t* targets, bool with_gradients,
                             double inverse_n) {
  const int64_t rows = p.size(0), items = p.size(1);
  float* data = p.data_ptr<float>();
  std::vector<double> losses(static_cast<size_t>(rows));
  at::parallel_for(0, rows, std::max<int64_t>(1, 65536 / items), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      float* row = data + r * items;
      const int64_t target = targets[r];
      const float max = row_max(row, items);
      const float target_logit = row[target];
      const double sum = exp_in_place(row, items, max);
      // loss_r = log Σ exp(l) − l_target = max + log(sum) − l_target
      losses[static_cast<size_t>(r)] = max + std::log(sum) - target_logit;
      if (!with_gradients) continue;
      scale_in_place(row, items, static_cast<float>(inverse_n / sum));
      row[target] -= static_cast<float>(inverse_n);
    }
  });
  return std::accumulate(losses.begin(), losses.end(), 0.0);
}

// The same with LibTorch's operators, a pass over the whole chunk each (a GPU's path). Returns
// the chunk's summed loss as a tensor.
at::Tensor softmax_rows_by_operators(at::Tensor& p, const at::Tensor& picked,
                                     bool with_gradients, double inverse_n) {
  const at::Tensor target_logit = p.gather(1, picked).squeeze(1);
  const at::Tensor row_max = std::get<0>(p.max(1, /*keepdim=*/true));
  p.sub_(row_max).exp_();
  const at::Tensor sums = p.sum(1, /*keepdim=*/true);
  const at::Tensor loss = (row_max.squeeze(1) + sums.squeeze(1).log() - target_logit).sum();
  if (with_gradients) {
    p.div_(sums);
    p.scatter_add_(1, picked, at::full_like(picked, -1.0, p.options()));
    p.mul_(inverse_n);
  }
  return loss;
}

// One pass per chunk computes the loss and, when the inputs need them, both gradients (for an
// incoming gradient of 1): logits, their softmax minus the one-hot, two GEMMs. Backward only
// scales what forward stored ([N, d] and [I, d]): three GEMMs in all, the plain
// implementation's count, with [chunk, I] the largest temporary.
struct ChunkedSoftmaxCrossEntropy
    : public torch::autograd::Function<ChunkedSoftmaxCrossEntropy> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& states,
                            const at::Tensor& table, const at::Tensor& targets, int64_t chunk,
                            bool with_gradients) {
    const int64_t n = states.size(0);
    const double inverse_n = 1.0 / static_cast<double>(std::max<int64_t>(n, 1));
    at::Tensor total = at::zeros({}, states.options());
    at::Tensor grad_states, grad_table;
    if (with_gradients) {
      grad_states = at::empty({n, states.size(1)}, states.options());  // contiguous
      grad_table = at::zeros_like(table);
    }
    // Under autocast (train.precision = bf16) the three products run in its type, as they
    // would in the plain path; the softmax itself stays float32.
    const c10::DeviceType device = states.device().type();
    const bool low_precision = autocast_enabled(device);
    const at::Tensor table_low = low_precision ? table.to(autocast_dtype(device)) : at::Tensor();
    const bool row_kernels = states.device().is_cpu() && states.scalar_type() == at::kFloat &&
                             !operator_softmax_rows.load();  // the kernels read float rows
    const at::Tensor target_ids = row_kernels ? targets.contiguous() : targets;
    if (row_kernels && n > 0) {  // the kernels index rows by them unchecked
      SHIFTREC_ASSERT(target_ids.min().item<int64_t>() >= 0 &&
                          target_ids.max().item<int64_t>() < table.size(0),
                      "chunked_softmax_cross_entropy: a target outside the item table");
    }
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t end = std::min(n, start + chunk);
      const at::Tensor rows = states.slice(0, start, end);
      at::Tensor p = logits_buffer(end - start, table.size(0), states.options());
      const at::Tensor rows_low = low_precision ? rows.to(table_low.scalar_type()) : at::Tensor();
      if (low_precision) {
        p.copy_(at::mm(rows_low, table_low.t()));
      } else {
        at::mm_out(p, rows, table.t());  // [c, I] logits, then probabilities
      }
      if (row_kernels) {
        total += softmax_rows_in_place(p, target_ids.data_ptr<int64_t>() + start, with_gradients,
                                       inverse_n);
      } else {
        total += softmax_rows_by_operators(p, targets.slice(0, start, end).unsqueeze(1),
                                           with_gradients, inverse_n);
      }
      if (!with_gradients) continue;
      if (low_precision) {
        const at::Tensor p_low = p.to(table_low.scalar_type());
        grad_states.slice(0, start, end).copy_(at::mm(p_low, table_low));
        grad_table.add_(at::mm(p_low.t(), rows_low));
      } else {
        at::Tensor grad_rows = grad_states.slice(0, start, end);
        at::mm_out(grad_rows, p, table);
        grad_table.addmm_(p.t(), rows);
      }
    }
    if (with_gradients) ctx->save_for_backward({grad_states, grad_table});
    return total * inverse_n;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& g = grad_outputs[0];
    return {saved[0] * g, saved[1] * g, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor chunked_softmax_cross_entropy(const at::Tensor& states, const at::Tensor& table,
                                         const at::Tensor& targets, int64_t chunk) {
  SHIFTREC_ASSERT(states.dim() == 2 && table.dim() == 2 && states.size(1) == table.size(1) &&
                      targets.dim() == 1 && targets.size(0) == states.size(0) && chunk >= 1,
                  "chunked_softmax_cross_entropy: states [N, d], table [I, d], targets [N]");
  const bool with_gradients = states.requires_grad() || table.requires_grad();
  // bf16 states (an encoder under autocast) join the float32 table's type here, so the
  // softmax and both gradients are float32 whatever the encoder ran in.
  const at::Tensor same_type =
      states.scalar_type() == table.scalar_type() ? states : states.to(table.scalar_type());
  return ChunkedSoftmaxCrossEntropy::apply(same_type, table, targets, chunk, with_gradients);
}

void use_operator_softmax_rows(bool on) { operator_softmax_rows.store(on); }

}  // namespace shiftrec
