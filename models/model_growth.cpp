#include "models/model_growth.h"

#include <algorithm>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "core/error.h"
#include "datasets/interactions.h"
#include "models/recommender.h"

namespace shiftrec {
namespace {

// The first rows of the new items, [new_items - old_items, ...]: each the mean of its category
// peers' old rows (of every old item when it has none); `old_rows` keeps the padding row 0.
at::Tensor new_item_rows(const at::Tensor& old_rows, const Growth& g) {
  const int64_t added = g.new_items - g.old_items;
  const at::Tensor old_items = old_rows.narrow(0, 1, g.old_items);  // [old_items, ...]
  const at::Tensor everyone = old_items.mean(0);
  std::vector<at::Tensor> rows;
  rows.reserve(static_cast<size_t>(added));
  for (int64_t k = 0; k < added; ++k) {
    const auto& peers = g.new_item_peers[static_cast<size_t>(k)];
    if (peers.empty()) {
      rows.push_back(everyone);
    } else {
      const at::Tensor index = at::tensor(peers, at::kLong).to(old_rows.device());
      rows.push_back(old_items.index_select(0, index).mean(0));
    }
  }
  return at::stack(rows);
}

bool same_trailing_shape(const at::Tensor& a, const at::Tensor& b) {
  if (a.dim() != b.dim()) return false;
  for (int64_t d = 1; d < a.dim(); ++d) {
    if (a.size(d) != b.size(d)) return false;
  }
  return true;
}

// The grown value of parameter `name`, or a UserError when its shape is not one of the three
// kinds of the header.
at::Tensor grown(const std::string& name, const at::Tensor& old_value, const at::Tensor& target,
                 const Growth& g) {
  if (old_value.sizes() == target.sizes()) return old_value;
  if (old_value.dim() >= 1 && same_trailing_shape(old_value, target)) {
    const int64_t old_rows = old_value.size(0), new_rows = target.size(0);
    const int64_t extra = old_rows - 1 - g.old_items;
    if (extra >= 0 && new_rows == g.new_items + 1 + extra) {
      std::vector<at::Tensor> parts = {old_value.narrow(0, 0, 1 + g.old_items)};
      if (g.new_items > g.old_items) parts.push_back(new_item_rows(old_value, g));
      if (extra > 0) parts.push_back(old_value.narrow(0, 1 + g.old_items, extra));
      return at::cat(parts, 0);
    }
    if (old_rows == g.old_users && new_rows == g.new_users) {
      const at::Tensor mean = old_value.mean(0, /*keepdim=*/true);
      return at::cat({old_value, mean.expand({g.new_users - g.old_users}).contiguous()}, 0);
    }
    if (old_rows == g.old_categories && new_rows == g.new_categories) {
      auto shape = old_value.sizes().vec();
      shape[0] = g.new_categories - g.old_categories;
      return at::cat({old_value, at::zeros(shape, old_value.options())}, 0);
    }
  }
  throw UserError(
      "update cannot carry parameter " + name + " over: shape " + c10::str(old_value.sizes()) +
      " in the run, " + c10::str(target.sizes()) +
      " for the updated data, and it is neither an item, a user nor a category table; retrain");
}

}  // namespace

Growth Growth::between(const Interactions& old_data, const Interactions& grown_data) {
  Growth g;
  g.old_items = old_data.n_items;
  g.new_items = grown_data.n_items;
  g.old_users = old_data.n_users;
  g.new_users = grown_data.n_users;
  g.old_categories = old_data.n_categories;
  g.new_categories = grown_data.n_categories;
  g.new_item_peers.resize(static_cast<size_t>(g.new_items - g.old_items));
  if (!grown_data.has_categories() || g.new_items == g.old_items) return g;
  std::vector<std::vector<int64_t>> items_of(static_cast<size_t>(grown_data.n_categories));
  for (int64_t i = 0; i < g.old_items; ++i) {
    for (int64_t k = grown_data.category_offsets[i]; k < grown_data.category_offsets[i + 1]; ++k) {
      items_of[grown_data.category_ids[k]].push_back(i);
    }
  }
  for (int64_t i = g.old_items; i < g.new_items; ++i) {
    auto& peers = g.new_item_peers[static_cast<size_t>(i - g.old_items)];
    for (int64_t k = grown_data.category_offsets[i]; k < grown_data.category_offsets[i + 1]; ++k) {
      const auto& same = items_of[grown_data.category_ids[k]];
      peers.insert(peers.end(), same.begin(), same.end());
    }
    std::sort(peers.begin(), peers.end());
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
  }
  return g;
}

void grow_parameters(Recommender& from, Recommender& to, const Growth& growth) {
  const auto old_parameters = from.named_parameters(/*recurse=*/true);
  at::NoGradGuard no_grad;
  for (auto& entry : to.named_parameters(/*recurse=*/true)) {
    const at::Tensor* old_value = old_parameters.find(entry.key());
    if (old_value == nullptr) {
      throw UserError(
          "update cannot carry the run's model over: the updated model has a "
          "parameter " +
          entry.key() + " the run's has not");
    }
    const at::Tensor value = grown(entry.key(), old_value->detach(), entry.value(), growth);
    entry.value().copy_(value.to(entry.value().device()));
  }
}

}  // namespace shiftrec
