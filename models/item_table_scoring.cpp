#include "models/item_table_scoring.h"

#include <ATen/ATen.h>

namespace shiftrec {

at::Tensor item_rows(const at::Tensor& table, int64_t n_items) {
  return table.narrow(0, 1, n_items);
}

at::Tensor score_all_items(const at::Tensor& table, int64_t n_items, const at::Tensor& states) {
  return at::matmul(states, item_rows(table, n_items).t());
}

at::Tensor score_item_candidates(const at::Tensor& table, const at::Tensor& states,
                                 const at::Tensor& items) {
  auto embedded = at::embedding(table, items + 1, /*padding_idx=*/0);  // [N, C, d]
  return (embedded * states.unsqueeze(-2)).sum(-1);
}

}  // namespace shiftrec
