// SHIFT labels of training positions, computed on a batch (models/shift_head.h and the
// `shift_weight` head read them).
//
// A target is a SHIFT when it has a (non-common) category, none of its categories occurs in
// the visible history up to its position, and it is no repeat of a visible item — the
// evaluation labels (datasets/shift_labels.h) with the whole visible row as the window.
// Categories carried by more than `common_share` of items are ignored, as in evaluation.
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace shiftrec {

struct Interactions;

// The common-category share training labels use (evaluation's eval.common_category_share
// default): categories on more than this share of items are ignored.
inline constexpr double kTrainingCommonCategoryShare = 0.9;

// The items' categories as a multi-hot table: [n_items + 1 + extra_tokens, n_categories]
// float, row = token (row 0 = padding; tokens after the items, such as BERT4Rec's [mask],
// carry none), common categories left out.
at::Tensor item_category_table(const Interactions& data, int64_t extra_tokens, double common_share);

// table [tokens, C] (item_category_table), histories [B, L] and targets [B, L] tokens ->
// [B, L] float, 1 = the target at column t is a SHIFT after histories[:, :t + 1] (meaningful
// where targets != 0).
at::Tensor shift_position_labels(const at::Tensor& table, const at::Tensor& histories,
                                 const at::Tensor& targets);

}  // namespace shiftrec
