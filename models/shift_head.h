// A shift head: a linear layer on the user state predicting whether the next item is an
// interest SHIFT, trained jointly with the next-item loss (binary cross-entropy) from labels
// computed on the batch itself: a target is a shift when it has a (non-common) category, none
// of its categories occurs in the visible history up to its position, and it is no repeat of
// a visible item. Categories carried by more than `common_share` of items are ignored, as
// for the evaluation labels.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace shiftrec {

struct Interactions;

class ShiftHeadImpl : public torch::nn::Module {
 public:
  ShiftHeadImpl(int64_t d, const Interactions& data, double common_share = 0.9);
  // states [..., d] -> probabilities [...]
  torch::Tensor probability(const torch::Tensor& states);
  // Mean BCE over supervised positions (targets != 0); histories, targets [B, L] tokens,
  // states [B, L, d].
  torch::Tensor loss(const torch::Tensor& histories, const torch::Tensor& states,
                     const torch::Tensor& targets);
  // The labels: [B, L] float, 1 = SHIFT (meaningful where targets != 0).
  torch::Tensor labels(const torch::Tensor& histories, const torch::Tensor& targets) const;

 private:
  torch::nn::Linear linear_{nullptr};
  torch::Tensor categories_;  // [n_items + 1, n_categories] multi-hot, row 0 = padding
};
TORCH_MODULE(ShiftHead);

}  // namespace shiftrec
