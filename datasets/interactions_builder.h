// Collects interactions with original ids, as readers find them, and builds the dense,
// sorted Interactions store.
//
// Dense ids follow first appearance in the interactions (users and items alike). Category
// sets are given per original item id, as names (genres) or numeric ids (attributes); they
// share one dictionary, so category ids are dense too. Items that have categories but no
// interaction are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "datasets/interactions.h"
#include "datasets/text_file.h"

namespace shiftrec {

class InteractionsBuilder {
 public:
  // `file`'s name and current line are kept for the first interaction of each item, to name
  // it in errors about missing categories.
  void add(int64_t user, int64_t item, int64_t time, const TextFile& file);
  // Replaces the category set of an original item id.
  void set_categories(int64_t item, const std::vector<std::string>& categories);
  bool has_categories() const { return !categories_.empty(); }
  // A given split, one tag per added row in order (0 train, 1 valid, 2 test).
  void set_row_tags(std::vector<int8_t> tags) { data_.given_split = std::move(tags); }

  // Throws UserError naming the first interaction of an item without categories when
  // `require_categories` (and some categories were given), and when nothing was added
  // (`source` names what was read).
  Interactions build(const std::string& source, bool require_categories);

 private:
  std::unordered_map<int64_t, int32_t> user_ids_, item_ids_;
  Interactions data_;
  std::vector<std::string> item_first_seen_;                      // [dense item] "file:line"
  std::unordered_map<int64_t, std::vector<int32_t>> categories_;  // original item -> ids
  std::unordered_map<std::string, int32_t> category_ids_;
  std::vector<std::string> category_names_;
};

}  // namespace shiftrec
