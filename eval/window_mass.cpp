#include "eval/window_mass.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "datasets/shift_labels.h"

namespace shiftrec {

OutsideWindowMass::OutsideWindowMass(const Interactions& data, int64_t window, double common_share)
    : data_(data),
      window_(window),
      ignored_(common_categories(data, common_share)),
      category_offsets_(data.n_categories + 1, 0),
      has_category_(data.n_items, 0) {
  SHIFTREC_ASSERT(data.has_categories() && window > 0, "window mass needs categories");
  for (int64_t i = 0; i < data.n_items; ++i) {
    for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
      const int32_t c = data.category_ids[k];
      if (ignored_[c]) continue;
      ++category_offsets_[c + 1];
      has_category_[i] = 1;
    }
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
  SHIFTREC_ASSERT(scores.dim() == 2 && scores.size(0) == static_cast<int64_t>(user.size()) &&
                      scores.size(1) == data_.n_items,
                  "window mass: scores do not match the queries");
  return mass(scores, outside_mask(user, history_length));
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
                                     std::vector<uint8_t>& window_category) const {
  // row[i] = 1 for items with a category, none of them among the last `window` items'.
  for (int64_t i = 0; i < data_.n_items; ++i) row[i] = has_category_[i] ? 1.0f : 0.0f;
  std::vector<int32_t> marked;
  for (int64_t p = std::max<int64_t>(0, count - window_); p < count; ++p) {
    const int32_t item = items[p];
    for (int64_t k = data_.category_offsets[item]; k < data_.category_offsets[item + 1]; ++k) {
      const int32_t c = data_.category_ids[k];
      if (ignored_[c] || window_category[c]) continue;
      window_category[c] = 1;
      marked.push_back(c);
      for (int64_t j = category_offsets_[c]; j < category_offsets_[c + 1]; ++j) {
        row[category_items_[j]] = 0.0f;
      }
    }
  }
  for (int32_t c : marked) window_category[c] = 0;
}

at::Tensor OutsideWindowMass::outside_mask(const std::vector<int32_t>& user,
                                           const std::vector<int64_t>& history_length) const {
  const int64_t queries = static_cast<int64_t>(user.size());
  auto outside = at::empty({queries, data_.n_items}, at::kFloat);
  std::vector<uint8_t> window_category(data_.n_categories, 0);
  for (int64_t q = 0; q < queries; ++q) {
    fill_outside(data_.item.data() + data_.user_offsets[user[q]], history_length[q],
                 outside.data_ptr<float>() + q * data_.n_items, window_category);
  }
  return outside;
}

at::Tensor OutsideWindowMass::outside_mask(
    const std::vector<std::vector<int32_t>>& histories) const {
  const int64_t queries = static_cast<int64_t>(histories.size());
  auto outside = at::empty({queries, data_.n_items}, at::kFloat);
  std::vector<uint8_t> window_category(data_.n_categories, 0);
  for (int64_t q = 0; q < queries; ++q) {
    fill_outside(histories[q].data(), static_cast<int64_t>(histories[q].size()),
                 outside.data_ptr<float>() + q * data_.n_items, window_category);
  }
  return outside;
}

}  // namespace shiftrec
