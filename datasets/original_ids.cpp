#include "datasets/original_ids.h"

#include <limits>
#include <numeric>

namespace shiftrec {

std::optional<int64_t> canonical_integer(std::string_view text) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');  // 19 digits fit in uint64
  }
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(value);
}

OriginalIds OriginalIds::sequence(int64_t n) {
  std::vector<int64_t> numbers(static_cast<size_t>(n));
  std::iota(numbers.begin(), numbers.end(), int64_t{0});
  return from_numbers(std::move(numbers));
}

OriginalIds OriginalIds::from_numbers(std::vector<int64_t> numbers) {
  OriginalIds ids;
  ids.numbers_ = std::move(numbers);
  return ids;
}

OriginalIds OriginalIds::from_texts(std::vector<std::string> texts) {
  OriginalIds ids;
  ids.text_ = true;
  ids.texts_ = std::move(texts);
  return ids;
}

int64_t OriginalIds::size() const {
  return static_cast<int64_t>(text_ ? texts_.size() : numbers_.size());
}

std::string OriginalIds::name(int64_t i) const {
  return text_ ? texts_[static_cast<size_t>(i)] : std::to_string(numbers_[static_cast<size_t>(i)]);
}

void OriginalIds::push_back(int64_t number) {
  if (text_) {
    texts_.push_back(std::to_string(number));
  } else {
    numbers_.push_back(number);
  }
}

void OriginalIds::push_back(std::string_view id) {
  if (!text_) {
    if (const auto number = canonical_integer(id)) {
      numbers_.push_back(*number);
      return;
    }
    make_text();
  }
  texts_.emplace_back(id);
}

void OriginalIds::push_back_from(const OriginalIds& other, int64_t i) {
  if (other.text_) {
    push_back(std::string_view(other.texts_[static_cast<size_t>(i)]));
  } else {
    push_back(other.numbers_[static_cast<size_t>(i)]);
  }
}

void OriginalIds::make_text() {
  if (text_) return;
  texts_.reserve(numbers_.size());
  for (const int64_t number : numbers_) texts_.push_back(std::to_string(number));
  numbers_ = {};
  text_ = true;
}

bool OriginalIds::operator==(const OriginalIds& other) const {
  return text_ == other.text_ && numbers_ == other.numbers_ && texts_ == other.texts_;
}

IdDictionary::IdDictionary(OriginalIds ids) {
  for (int64_t i = 0; i < ids.size(); ++i) {
    if (ids.is_text()) {
      add(std::string_view(ids.texts()[static_cast<size_t>(i)]));
    } else {
      add(ids.numbers()[static_cast<size_t>(i)]);
    }
  }
}

IdDictionary::Entry IdDictionary::add(std::string_view id) {
  if (!ids_.is_text()) {
    if (const auto number = canonical_integer(id)) return add(*number);
    index_as_text();
  }
  const auto [it, added] = texts_.emplace(std::string(id), static_cast<int32_t>(ids_.size()));
  if (added) ids_.push_back(id);
  return {it->second, added};
}

IdDictionary::Entry IdDictionary::add(int64_t number) {
  if (ids_.is_text()) return add(std::string_view(std::to_string(number)));
  const auto [it, added] = numbers_.emplace(number, static_cast<int32_t>(ids_.size()));
  if (added) ids_.push_back(number);
  return {it->second, added};
}

std::optional<int32_t> IdDictionary::find(std::string_view id) const {
  if (ids_.is_text()) {
    const auto it = texts_.find(std::string(id));
    if (it != texts_.end()) return it->second;
    return std::nullopt;
  }
  const auto number = canonical_integer(id);
  if (!number) return std::nullopt;
  const auto it = numbers_.find(*number);
  if (it != numbers_.end()) return it->second;
  return std::nullopt;
}

OriginalIds IdDictionary::release() {
  OriginalIds out = std::move(ids_);
  *this = IdDictionary();
  return out;
}

void IdDictionary::index_as_text() {
  ids_.make_text();
  texts_.reserve(numbers_.size());
  for (const auto& [number, index] : numbers_) texts_.emplace(std::to_string(number), index);
  numbers_ = {};
}

}  // namespace shiftrec
