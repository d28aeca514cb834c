#include "eval/window_mass.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/error.h"
#include "datasets/shift_labels.h"
#include "core/row_kernels.h"

namespace shiftrec {

OutsideWindowMass::OutsideWindowMass(const Interactions& data, int64_t window, double common_share)
    : data_(data),
      window_(window),
      ignored_(common_categories(data, common_share)),
      category_offsets_(data.n_categories + 1, 0),
      categorised_gate_(data.n_items, std::nanf("")) {
  SHIFTREC_ASSERT(data.has_categories() && window > 0, "window mass needs categories");
  for (int64_t i = 0; i < data.n_items; ++i) {
    for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
      const int32_t c = data.category_ids[k];
      if (ignored_[c]) continue;
      ++category_offsets_[c + 1];
      categorised_gate_[i] = std::numeric_limits<float>::infinity();
    }
  }
  for (int64_t i = 0; i < data.n_items; ++i) {
    if (!categorised(i)) uncategorised_.push_back(static_cast<int32_t>(i));
  }
  for (int64_t c = 0; c < data.n_categories; ++c) category_offsets_[c + 1] += category_offsets_[c];
  category_items_.resize(category_offsets_.back());
  std::vector<int64_t> fill(category_offsets_.begin(), category_offsets_.end() - 1);
  for (int64_t i = 0; i < data.n_items; ++i) {
    for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
      const int32_t c = data.category_ids[k];
      if (!ignored_[c]) category_items_[fill[c]++] = static_cast<int32_t>(i);
    }
  }
}

std::vector<double> OutsideWindowMass::operator()(
    const at::Tensor& scores, const std::vector<int32_t>& user,
    const std::vector<int64_t>& history_length) const {
  return read(scores, user, history_length, {}, {}).mass;
}

OutsideWindowMass::Reading OutsideWindowMass::read(const at::Tensor& scores,
                                                   const std::vector<int32_t>& user,
                                                   const std::vector<int64_t>& history_length,
                                                   const std::vector<int64_t>& pair_row,
                                                   const std::vector<int64_t>& pair_item) const {
  SHIFTREC_ASSERT(scores.dim() == 2 && scores.size(0) == static_cast<int64_t>(user.size()) &&
                      scores.size(0) == static_cast<int64_t>(history_length.size()) &&
                      scores.size(1) == data_.n_items && pair_row.size() == pair_item.size(),
                  "window mass: scores do not match the queries");
  for (size_t p = 0; p < pair_row.size(); ++p) {
    SHIFTREC_ASSERT(pair_row[p] >= 0 && pair_row[p] < scores.size(0) && pair_item[p] >= 0 &&
                        pair_item[p] < data_.n_items,
                    "window mass: a (row, item) pair outside the scores");
  }
  return scores.device().is_cpu()
             ? read_on_cpu(scores, data_histories(user, history_length), pair_row, pair_item)
             : read_on_device(scores, user, history_length, pair_row, pair_item);
}

std::vector<OutsideWindowMass::History> OutsideWindowMass::data_histories(
    const std::vector<int32_t>& user, const std::vector<int64_t>& history_length) const {
  std::vector<History> histories(user.size());
  for (size_t q = 0; q < user.size(); ++q) {
    histories[q] = {data_.item.data() + data_.user_offsets[user[q]], history_length[q]};
  }
  return histories;
}

std::vector<double> OutsideWindowMass::masses(
    const at::Tensor& scores, const std::vector<std::vector<int32_t>>& histories) const {
  SHIFTREC_ASSERT(scores.dim() == 2 && scores.size(0) == static_cast<int64_t>(histories.size()) &&
                      scores.size(1) == data_.n_items,
                  "window mass: scores do not match the histories");
  if (!scores.device().is_cpu()) return mass(scores, outside_mask(histories));
  std::vector<History> views(histories.size());
  for (size_t q = 0; q < histories.size(); ++q) {
    views[q] = {histories[q].data(), static_cast<int64_t>(histories[q].size())};
  }
  return read_on_cpu(scores, views, {}, {}).mass;
}

std::vector<uint8_t> OutsideWindowMass::outside_items(
    const std::vector<std::vector<int32_t>>& histories, const int32_t* items, int64_t k) const {
  std::vector<uint8_t> outside(histories.size() * static_cast<size_t>(k));
  Scratch scratch(data_);
  for (size_t q = 0; q < histories.size(); ++q) {
    window_items(histories[q].data(), static_cast<int64_t>(histories[q].size()), scratch);
    for (int64_t j = 0; j < k; ++j) {
      const int32_t item = items[q * k + j];
      outside[q * k + j] = categorised(item) && !scratch.item_mark[item];
    }
    for (int32_t i : scratch.inside) scratch.item_mark[i] = 0;
  }
  return outside;
}

OutsideWindowMass::Reading OutsideWindowMass::read_on_device(
    const at::Tensor& scores, const std::vector<int32_t>& user,
    const std::vector<int64_t>& history_length, const std::vector<int64_t>& pair_row,
    const std::vector<int64_t>& pair_item) const {
  Reading out;
  const at::Tensor outside = outside_mask(user, history_length);
  out.mass = mass(scores, outside);
  if (pair_row.empty()) return out;
  const auto device = scores.device();
  const auto row = at::tensor(pair_row, at::kLong).to(device);
  const auto item = at::tensor(pair_item, at::kLong).to(device).unsqueeze(1);
  const auto is_outside = outside.to(device).index_select(0, row).gt(0);  // [P, n]
  const auto s = scores.index_select(0, row);                             // [P, n]
  const auto above = (s.ge(s.gather(1, item)) & is_outside).sum(1) -
                     is_outside.gather(1, item).squeeze(1).to(at::kLong);
  const auto cpu = above.to(at::kCPU, at::kLong).contiguous();
  out.outside_above.assign(cpu.data_ptr<int64_t>(), cpu.data_ptr<int64_t>() + cpu.numel());
  return out;
}

OutsideWindowMass::Reading OutsideWindowMass::read_on_cpu(
    const at::Tensor& scores, const std::vector<History>& histories,
    const std::vector<int64_t>& pair_row, const std::vector<int64_t>& pair_item) const {
  const int64_t queries = scores.size(0), n = data_.n_items;
  const at::Tensor x = scores.to(at::kFloat).contiguous();
  Reading out;
  out.mass.resize(queries);
  out.outside_above.resize(pair_row.size());
  std::vector<std::vector<size_t>> pairs_of_row(queries);
  for (size_t p = 0; p < pair_row.size(); ++p) pairs_of_row[pair_row[p]].push_back(p);
  // Row by row, the rows split among the threads: the softmax's maximum and normaliser in two
  // passes over the row (the second from cache), the window's items' terms subtracted.
  at::parallel_for(0, queries, 16, [&](int64_t begin, int64_t end) {
    Scratch scratch(data_);
    const std::vector<int32_t>& inside = scratch.inside;
    for (int64_t q = begin; q < end; ++q) {
      const float* s = x.data_ptr<float>() + q * n;
      window_items(histories[q].items, histories[q].count, scratch);
      const float shift = row_max(s, n);
      const double z = sum_exp(s, n, shift);
      const double excluded =
          sum_exp_at(s, uncategorised_.data(), static_cast<int64_t>(uncategorised_.size()), shift) +
          sum_exp_at(s, inside.data(), static_cast<int64_t>(inside.size()), shift);
      out.mass[q] = std::clamp((z - excluded) / z, 0.0, 1.0);
      for (size_t p : pairs_of_row[q]) {
        const int32_t item = static_cast<int32_t>(pair_item[p]);
        const float target = s[item];
        int64_t above = count_at_least_gated(s, categorised_gate_.data(), n, target);
        for (int32_t i : inside) above -= s[i] >= target;
        if (categorised(item) && !scratch.item_mark[item]) --above;  // the item itself
        out.outside_above[p] = above;
      }
      for (int32_t i : inside) scratch.item_mark[i] = 0;
    }
  });
  return out;
}

std::vector<double> OutsideWindowMass::mass(const at::Tensor& scores, const at::Tensor& outside) {
  auto probabilities = at::softmax(scores.to(at::kFloat), 1);
  auto mass = (probabilities * outside.to(scores.device()))
                  .sum(1)
                  .to(at::kCPU)
                  .to(at::kDouble)
                  .contiguous();
  return std::vector<double>(mass.data_ptr<double>(), mass.data_ptr<double>() + mass.size(0));
}

void OutsideWindowMass::fill_outside(const int32_t* items, int64_t count, float* row,
                                     Scratch& scratch) const {
  // row[i] = 1 for items with a category, none of them among the last `window` items'.
  for (int64_t i = 0; i < data_.n_items; ++i) row[i] = categorised(i) ? 1.0f : 0.0f;
  window_items(items, count, scratch);
  for (int32_t i : scratch.inside) {
    row[i] = 0.0f;
    scratch.item_mark[i] = 0;
  }
}

OutsideWindowMass::Scratch::Scratch(const Interactions& data)
    : window_category(data.n_categories, 0), item_mark(data.n_items, 0) {}

void OutsideWindowMass::window_items(const int32_t* items, int64_t count, Scratch& scratch) const {
  std::vector<uint8_t>& window_category = scratch.window_category;
  std::vector<uint8_t>& item_mark = scratch.item_mark;
  std::vector<int32_t>& inside = scratch.inside;
  inside.clear();
  std::vector<int32_t> marked;
  for (int64_t p = std::max<int64_t>(0, count - window_); p < count; ++p) {
    const int32_t item = items[p];
    for (int64_t k = data_.category_offsets[item]; k < data_.category_offsets[item + 1]; ++k) {
      const int32_t c = data_.category_ids[k];
      if (ignored_[c] || window_category[c]) continue;
      window_category[c] = 1;
      marked.push_back(c);
      for (int64_t j = category_offsets_[c]; j < category_offsets_[c + 1]; ++j) {
        const int32_t member = category_items_[j];
        if (item_mark[member]) continue;
        item_mark[member] = 1;
        inside.push_back(member);
      }
    }
  }
  for (int32_t c : marked) window_category[c] = 0;
}

at::Tensor OutsideWindowMass::outside_mask(const std::vector<int32_t>& user,
                                           const std::vector<int64_t>& history_length) const {
  const int64_t queries = static_cast<int64_t>(user.size());
  auto outside = at::empty({queries, data_.n_items}, at::kFloat);
  Scratch scratch(data_);
  for (int64_t q = 0; q < queries; ++q) {
    fill_outside(data_.item.data() + data_.user_offsets[user[q]], history_length[q],
                 outside.data_ptr<float>() + q * data_.n_items, scratch);
  }
  return outside;
}

at::Tensor OutsideWindowMass::outside_mask(
    const std::vector<std::vector<int32_t>>& histories) const {
  const int64_t queries = static_cast<int64_t>(histories.size());
  auto outside = at::empty({queries, data_.n_items}, at::kFloat);
  Scratch scratch(data_);
  for (int64_t q = 0; q < queries; ++q) {
    fill_outside(histories[q].data(), static_cast<int64_t>(histories[q].size()),
                 outside.data_ptr<float>() + q * data_.n_items, scratch);
  }
  return outside;
}

}  // namespace shiftrec
