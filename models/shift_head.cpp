#include "models/shift_head.h"

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

torch::Tensor ShiftHeadImpl::loss(const torch::Tensor& histories, const torch::Tensor& states,
                                  const torch::Tensor& targets) {
  auto supervised = targets.ne(0);
  auto logits = linear_->forward(states).squeeze(-1);  // [B, L]
  return at::binary_cross_entropy_with_logits(logits.index({supervised}),
                                              labels(histories, targets).index({supervised}));
}

}  // namespace shiftrec
