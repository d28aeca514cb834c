// The model's shift score (REFERENCE.md): the softmax mass of its scores on the items whose
// categories share none with the categories of the last W items of the history — how much
// the model expects the next item to leave the user's recent interests.
//
// Categories carried by more than `common_share` of all items are ignored, as for the labels;
// items without a (non-ignored) category count neither inside nor outside.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "datasets/interactions.h"

namespace shiftrec {

class OutsideWindowMass {
 public:
  OutsideWindowMass(const Interactions& data, int64_t window, double common_share);
  // scores [Q, n_items] on any device; query q's history is the first history_length[q]
  // items of user[q]'s sequence. -> [Q] masses in [0, 1].
  std::vector<double> operator()(const at::Tensor& scores, const std::vector<int32_t>& user,
                                 const std::vector<int64_t>& history_length) const;

  // Both shift readings of one batch of scores [Q, n_items]: every query's mass, and for
  // each asked (row, item) pair how many items outside row's window score at least the
  // item's score, the item itself not counted (a SHIFT target's rank among the outside items,
  // less one). Scores on the CPU are read row by row, with no [Q, n_items] mask or softmax
  // kept (at 100 k items those were 400 MB blocks per batch); on a device, through the mask.
  struct Reading {
    std::vector<double> mass;            // [Q]
    std::vector<int64_t> outside_above;  // [pairs]
  };
  Reading read(const at::Tensor& scores, const std::vector<int32_t>& user,
               const std::vector<int64_t>& history_length, const std::vector<int64_t>& pair_row,
               const std::vector<int64_t>& pair_item) const;
  // For histories given as item ids (oldest first; recommend's requests, not the data's):
  // every query's mass, read as read() reads it (row by row on the CPU, through the mask on a
  // device). scores [Q, n_items], histories [Q] -> [Q].
  std::vector<double> masses(const at::Tensor& scores,
                             const std::vector<std::vector<int32_t>>& histories) const;
  // Whether each asked item lies outside its query's window: items [Q * k] (query q's are
  // items[q * k .. q * k + k)) -> [Q * k] 0/1, reading only the window's categories' items
  // (no [Q, n_items] mask).
  std::vector<uint8_t> outside_items(const std::vector<std::vector<int32_t>>& histories,
                                     const int32_t* items, int64_t k) const;
  // The items counted as outside, per query: [Q, n_items] float 0/1 on the CPU.
  at::Tensor outside_mask(const std::vector<int32_t>& user,
                          const std::vector<int64_t>& history_length) const;
  // The same for histories given as item ids (oldest first), not from the data: [Q, n_items].
  at::Tensor outside_mask(const std::vector<std::vector<int32_t>>& histories) const;
  // sum of softmax(scores) over the mask's items: -> [Q].
  static std::vector<double> mass(const at::Tensor& scores, const at::Tensor& outside);

 private:
  // Per-query working memory, reused across queries.
  struct Scratch {
    explicit Scratch(const Interactions& data);
    std::vector<uint8_t> window_category;  // [n_categories], all zero between queries
    std::vector<uint8_t> item_mark;        // [n_items] 1 = in `inside`; the caller clears it
    std::vector<int32_t> inside;           // the items of the window's categories, each once
  };
  // One query's row of the mask from its history items[0..count).
  void fill_outside(const int32_t* items, int64_t count, float* row, Scratch& scratch) const;
  // The items sharing a category with the history's last `window` items -> scratch.inside,
  // each marked in scratch.item_mark (to be cleared by the caller).
  void window_items(const int32_t* items, int64_t count, Scratch& scratch) const;
  bool categorised(int64_t item) const { return categorised_gate_[item] > 0.0f; }  // NaN: false
  Reading read_on_device(const at::Tensor& scores, const std::vector<int32_t>& user,
                         const std::vector<int64_t>& history_length,
                         const std::vector<int64_t>& pair_row,
                         const std::vector<int64_t>& pair_item) const;
  struct History {  // a query's history: items[0..count), oldest first
    const int32_t* items;
    int64_t count;
  };
  std::vector<History> data_histories(const std::vector<int32_t>& user,
                                      const std::vector<int64_t>& history_length) const;
  Reading read_on_cpu(const at::Tensor& scores, const std::vector<History>& histories,
                      const std::vector<int64_t>& pair_row,
                      const std::vector<int64_t>& pair_item) const;

  const Interactions& data_;
  int64_t window_;
  std::vector<bool> ignored_;
  std::vector<int64_t> category_offsets_;  // [n_categories + 1] into category_items_
  std::vector<int32_t> category_items_;    // items of each non-ignored category
  // [n_items] +inf for an item with some non-ignored category, NaN for the others: the gate of
  // count_at_least_gated (core/row_kernels.h), and what categorised() reads.
  std::vector<float> categorised_gate_;
  std::vector<int32_t> uncategorised_;  // items with no non-ignored category
};

}  // namespace shiftrec
