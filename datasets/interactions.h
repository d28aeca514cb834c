// The columnar in-memory interaction store every reader produces.
//
// Ids are dense after remapping: users 0..n_users-1, items 0..n_items-1. Rows are sorted by
// (user, time), ties kept in the order they were read, so each user's sequence is the
// contiguous row range [user_offsets[u], user_offsets[u + 1]).
// Item categories are a CSR map item -> set of category ids (empty when the source has
// none). Original ids are kept for exports and dumps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/original_ids.h"

namespace shiftrec {

struct Interactions {
  int64_t n_users = 0;
  int64_t n_items = 0;
  int64_t n_categories = 0;

  // One entry per interaction, sorted by (user, time).
  std::vector<int32_t> user;
  std::vector<int32_t> item;
  std::vector<int64_t> time;  // Unix seconds, or the position when the source has no time

  std::vector<int64_t> user_offsets;  // [n_users + 1]

  // item -> categories: category_ids[category_offsets[i] .. category_offsets[i + 1]).
  // Both empty when the data has no categories.
  std::vector<int64_t> category_offsets;  // [n_items + 1]
  std::vector<int32_t> category_ids;
  std::vector<std::string> category_names;  // [n_categories] when the source names them

  // A split that came with the data (LightGCN train/test files): per row 0 = train,
  // 1 = valid, 2 = test. Empty when the source has none.
  std::vector<int8_t> given_split;

  OriginalIds user_original_ids;  // [n_users]
  OriginalIds item_original_ids;  // [n_items]

  int64_t size() const { return static_cast<int64_t>(item.size()); }
  // Category c's name, or its index as text when the source names none (synthetic data).
  std::string category_name(int64_t c) const;
  bool has_categories() const { return !category_offsets.empty(); }
  // True unless every time is the row's position in its user's sequence (a source without
  // timestamps).
  bool has_timestamps() const;
  int64_t sequence_length(int64_t u) const { return user_offsets[u + 1] - user_offsets[u]; }

  // Sorts rows by (user, time) keeping the read order among ties, and rebuilds
  // user_offsets. Call after filling the columns.
  void sort_and_index();

  // The first invariant above that does not hold, as a sentence; "" when all hold. Safe on
  // any contents (a damaged cache file is checked with it before use).
  std::string first_violation() const;
  // Checks every invariant above; a violation is an InternalError (a reader bug).
  void validate() const;
};

}  // namespace shiftrec
