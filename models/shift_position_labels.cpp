#include "models/shift_position_labels.h"

#include <vector>

#include <ATen/ATen.h>

#include "datasets/interactions.h"
#include "datasets/shift_labels.h"

namespace shiftrec {

at::Tensor item_category_table(const Interactions& data, int64_t extra_tokens,
                               double common_share) {
  const std::vector<bool> ignored = common_categories(data, common_share);
  auto table = at::zeros({data.n_items + 1 + extra_tokens, data.n_categories}, at::kFloat);
  float* m = table.data_ptr<float>();
  for (int64_t i = 0; i < data.n_items; ++i) {
    for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
      const int32_t c = data.category_ids[k];
      if (!ignored[c]) m[(i + 1) * data.n_categories + c] = 1.0f;
    }
  }
  return table;
}

at::Tensor shift_position_labels(const at::Tensor& table, const at::Tensor& histories,
                                 const at::Tensor& targets) {
  auto seen = at::embedding(table, histories).cumsum(1).gt(0);  // [B, L, C]: up to t
  auto target_categories = at::embedding(table, targets);       // [B, L, C]
  auto overlaps = (target_categories * seen.to(at::kFloat)).sum(-1).gt(0);
  auto has_category = target_categories.sum(-1).gt(0);
  const int64_t length = histories.size(1);
  auto causal = at::ones({length, length}, histories.options().dtype(at::kBool)).tril();
  auto repeat = (targets.unsqueeze(2).eq(histories.unsqueeze(1)) & causal.unsqueeze(0)).any(2);
  return (has_category & overlaps.logical_not() & repeat.logical_not()).to(at::kFloat);
}

}  // namespace shiftrec
