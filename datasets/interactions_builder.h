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
#include <string_view>
#include <unordered_map>
#include <vector>

#include "datasets/interactions.h"
#include "datasets/text_file.h"

namespace shiftrec {

class InteractionsBuilder {
 public:
  // `file`'s name and current line are kept for the first interaction of each item, to name
  // it in errors about missing categories.
  // Numeric sources: a negative id is an error at `file`'s line.
  void add(int64_t user, int64_t item, int64_t time, const TextFile& file);
  // Token sources (CSV, RecBole): any non-empty UTF-8 text without spaces or control
  // characters is an id (datasets/original_ids.h), but one that reads as a negative number.
  void add(std::string_view user, std::string_view item, int64_t time, const TextFile& file);
  // Replaces the category set of an original item id. Names read from a text file are
  // checked to be UTF-8 (they reach JSON and HDF5): an error at `file`'s line when not.
  void set_categories(int64_t item, const std::vector<std::string>& categories,
                      const TextFile* file = nullptr);
  void set_categories(std::string_view item, const std::vector<std::string>& categories,
                      const TextFile& file);
  bool has_categories() const { return !categories_.empty(); }
  // A given split, one tag per added row in order (0 train, 1 valid, 2 test).
  void set_row_tags(std::vector<int8_t> tags) { data_.given_split = std::move(tags); }

  // Throws UserError naming the first interaction of an item without categories when
  // `require_categories` (and some categories were given; `category_file`, when given, is
  // the file that should have held them), and when nothing was added (`source` names what
  // was read).
  Interactions build(const std::string& source, bool require_categories,
                     const std::string& category_file = "");

 private:
  void add_row(IdDictionary::Entry user, IdDictionary::Entry item, int64_t time,
               const TextFile& file);
  void assign_categories(IdDictionary::Entry item, const std::vector<std::string>& categories,
                         const TextFile* file);

  IdDictionary users_, items_;
  Interactions data_;
  std::vector<std::string> item_first_seen_;  // [dense item] "file:line"
  // Items given categories (not all of them need interactions) -> their category ids.
  IdDictionary category_items_;
  std::vector<std::vector<int32_t>> categories_;  // [category_items_ index]
  std::unordered_map<std::string, int32_t> category_ids_;
  std::vector<std::string> category_names_;
};

}  // namespace shiftrec
