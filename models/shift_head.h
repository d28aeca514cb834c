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
  // The items that would be a SHIFT after each whole history: histories [B, L] ->
  // [B, n_items] bool (column = item id).
  torch::Tensor shift_items(const torch::Tensor& histories) const;
  // The next-item distribution split by the head: with p = probability(states),
  //   log P(i) = log((1 - p) softmax_{non-shift}(s)_i + p softmax_{shift}(s)_i),
  // the head deciding *whether* the interest moves and the scores s [B, n_items] *where*
  // within each group. Rows without shift items keep the non-shift softmax.
  // histories [B, L], last states [B, d], scores [B, n_items] -> [B, n_items] log-probabilities.
  torch::Tensor mixture_scores(const torch::Tensor& histories, const torch::Tensor& states,
                               const torch::Tensor& scores);

 private:
  torch::nn::Linear linear_{nullptr};
  torch::Tensor categories_;  // [n_items + 1, n_categories] multi-hot, row 0 = padding
};
TORCH_MODULE(ShiftHead);

}  // namespace shiftrec
