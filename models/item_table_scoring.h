// Scoring user states against an item table whose row r holds item r - 1 (row 0 = padding;
// further rows, such as BERT4Rec's mask token, are never scored). Shared by the sequence
// models whose states live in the item embedding space (SASRec and its hybrids, GRU4Rec,
// BERT4Rec).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// The items' rows: [n_items, d] (row = item id).
at::Tensor item_rows(const at::Tensor& table, int64_t n_items);
// states [N, d] -> [N, n_items]: the dot product with every item.
at::Tensor score_all_items(const at::Tensor& table, int64_t n_items, const at::Tensor& states);
// states [N, d], items [N, C] (0-based ids) -> [N, C].
at::Tensor score_item_candidates(const at::Tensor& table, const at::Tensor& states,
                                 const at::Tensor& items);

}  // namespace shiftrec
