// The ids a source gave its users or items, kept next to the dense indices (row i is dense
// index i) for everything that speaks to the user: targets.tsv, --dump-topk, recommend, the
// HDF5 export.
//
// A column is numeric while every id is a canonical non-negative integer ("0", "17", never
// "017" or "+17"); the first other id ("A2SUAM1J3GNN3B", "N123", "017") turns the whole column
// into text, each earlier number kept as the text it was written as. Numeric columns export as
// int64, text columns as UTF-8 strings.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shiftrec {

// The number `text` writes canonically (digits only, no leading zero, fits int64), if any.
std::optional<int64_t> canonical_integer(std::string_view text);

class OriginalIds {
 public:
  OriginalIds() = default;
  OriginalIds(std::initializer_list<int64_t> numbers) : numbers_(numbers) {}
  // 0, 1, ..., n - 1 (synthetic data).
  static OriginalIds sequence(int64_t n);
  static OriginalIds from_numbers(std::vector<int64_t> numbers);
  static OriginalIds from_texts(std::vector<std::string> texts);

  int64_t size() const;
  bool empty() const { return size() == 0; }
  bool is_text() const { return text_; }
  // Id i as written in the source.
  std::string name(int64_t i) const;
  // The numbers of a numeric column (empty for a text column).
  const std::vector<int64_t>& numbers() const { return numbers_; }
  // The texts of a text column (empty for a numeric column).
  const std::vector<std::string>& texts() const { return texts_; }

  void push_back(int64_t number);
  void push_back(std::string_view id);  // a canonical integer stays numeric
  // Appends `other`'s id i.
  void push_back_from(const OriginalIds& other, int64_t i);
  // Turns a numeric column into text (the numbers as written).
  void make_text();

  bool operator==(const OriginalIds& other) const;

 private:
  bool text_ = false;
  std::vector<int64_t> numbers_;
  std::vector<std::string> texts_;
};

// Original id -> dense index, growing an OriginalIds as new ids arrive.
class IdDictionary {
 public:
  IdDictionary() = default;
  explicit IdDictionary(OriginalIds ids);  // indexes the given ids in order

  struct Entry {
    int32_t index;
    bool added;
  };
  Entry add(std::string_view id);
  Entry add(int64_t number);
  std::optional<int32_t> find(std::string_view id) const;

  const OriginalIds& ids() const { return ids_; }
  OriginalIds release();

 private:
  void index_as_text();

  OriginalIds ids_;
  std::unordered_map<int64_t, int32_t> numbers_;
  std::unordered_map<std::string, int32_t> texts_;
};

}  // namespace shiftrec
