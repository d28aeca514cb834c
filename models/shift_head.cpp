#include "models/shift_head.h"

#include <limits>

#include <ATen/ATen.h>

#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/shift_labels.h"

namespace shiftrec {

ShiftHeadImpl::ShiftHeadImpl(int64_t d, const Interactions& data, double common_share) {
  SHIFTREC_ASSERT(data.has_categories(), "a shift head needs item categories");
  linear_ = register_module("linear", torch::nn::Linear(d, 1));
  const std::vector<bool> ignored = common_categories(data, common_share);
  auto matrix = at::zeros({data.n_items + 1, data.n_categories}, at::kFloat);
  float* m = matrix.data_ptr<float>();
  for (int64_t i = 0; i < data.n_items; ++i) {
    for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
      const int32_t c = data.category_ids[k];
      if (!ignored[c]) m[(i + 1) * data.n_categories + c] = 1.0f;
    }
  }
  categories_ = register_buffer("item_categories", matrix);
}

torch::Tensor ShiftHeadImpl::probability(const torch::Tensor& states) {
  return at::sigmoid(linear_->forward(states).squeeze(-1));
}

torch::Tensor ShiftHeadImpl::labels(const torch::Tensor& histories, const torch::Tensor& targets) const {
  auto seen = at::embedding(categories_, histories).cumsum(1).gt(0);  // [B, L, C]: up to t
  auto target_categories = at::embedding(categories_, targets);      // [B, L, C]
  auto overlaps = (target_categories * seen.to(at::kFloat)).sum(-1).gt(0);
  auto has_category = target_categories.sum(-1).gt(0);
  const int64_t length = histories.size(1);
  auto causal = at::ones({length, length}, histories.options().dtype(at::kBool)).tril();
  auto repeat = (targets.unsqueeze(2).eq(histories.unsqueeze(1)) & causal.unsqueeze(0)).any(2);
  return (has_category & overlaps.logical_not() & repeat.logical_not()).to(at::kFloat);
}

torch::Tensor ShiftHeadImpl::shift_items(const torch::Tensor& histories) const {
  auto seen = at::embedding(categories_, histories).sum(1).gt(0).to(at::kFloat);  // [B, C]
  auto items = categories_.narrow(0, 1, categories_.size(0) - 1);                // [n, C]
  auto overlaps = at::matmul(seen, items.t()).gt(0);                              // [B, n]
  auto has_category = items.sum(-1).gt(0).unsqueeze(0);                           // [1, n]
  auto counts = at::zeros(overlaps.sizes(), seen.options());  // visible items; padding adds 0
  counts.scatter_add_(1, (histories - 1).clamp_min(0), histories.gt(0).to(at::kFloat));
  return has_category & overlaps.logical_not() & counts.gt(0).logical_not();
}

torch::Tensor ShiftHeadImpl::mixture_scores(const torch::Tensor& histories,
                                            const torch::Tensor& states,
                                            const torch::Tensor& scores) {
  const auto shift = shift_items(histories);  // [B, n]
  const double lowest = -std::numeric_limits<double>::infinity();
  auto stay = at::log_softmax(scores.masked_fill(shift, lowest), 1);
  auto move = at::log_softmax(scores.masked_fill(shift.logical_not(), lowest), 1);
  auto logits = linear_->forward(states);  // [B, 1]
  auto log_p = at::log_sigmoid(logits), log_not_p = at::log_sigmoid(-logits);
  auto mixed = at::logaddexp(stay + log_not_p, move + log_p);
  // A row without shift items: its `move` is NaN; a row of only shift items: `stay` is.
  auto any_shift = shift.any(1, /*keepdim=*/true), any_stay = shift.logical_not().any(1, true);
  mixed = at::where(any_shift, mixed, stay);
  return at::where(any_stay, mixed, move);
}

torch::Tensor ShiftHeadImpl::loss(const torch::Tensor& histories, const torch::Tensor& states,
                                  const torch::Tensor& targets) {
  auto supervised = targets.ne(0);
  auto logits = linear_->forward(states).squeeze(-1);  // [B, L]
  return at::binary_cross_entropy_with_logits(logits.index({supervised}),
                                              labels(histories, targets).index({supervised}));
}

}  // namespace shiftrec
