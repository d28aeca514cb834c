#include "datasets/interactions_builder.h"

#include <algorithm>

#include "core/error.h"
#include "core/text.h"

namespace shiftrec {
namespace {

void check_utf8(std::string_view text, const char* what, const TextFile& file) {
  const size_t bad = invalid_utf8_at(text);
  if (bad != std::string_view::npos) {
    file.fail(std::string(what) + " \"" + excerpt(text.substr(0, bad)) +
              "\" is followed by a byte that is not UTF-8 (byte " + std::to_string(bad + 1) +
              " of the field): save the file as UTF-8");
  }
}

// Ids are printed in tab- and space-separated lists (targets.tsv, --dump-topk, --history).
void check_id_text(std::string_view id, const char* what, const TextFile& file) {
  check_utf8(id, what, file);
  for (const char c : id) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      file.fail(std::string(what) + " \"" + excerpt(id.substr(0, id.find(c))) +
                "...\" holds a space or a control character (tab, line break): ids are "
                "printed in space- and tab-separated lists");
    }
  }
}

}  // namespace

void InteractionsBuilder::add(int64_t user, int64_t item, int64_t time, const TextFile& file) {
  // Every numeric reader goes through here: one rule for all (an id is non-negative).
  if (user < 0) file.fail("user id " + std::to_string(user) + " is negative");
  if (item < 0) file.fail("item id " + std::to_string(item) + " is negative");
  add_row(users_.add(user), items_.add(item), time, file);
}

void InteractionsBuilder::add(std::string_view user, std::string_view item, int64_t time,
                              const TextFile& file) {
  if (user.empty()) file.fail("empty user id");
  if (item.empty()) file.fail("empty item id");
  // Text ids are welcome, but "-2" is a negative number (a broken export), not a name.
  if (user[0] == '-' && canonical_integer(user.substr(1))) {
    file.fail("user id " + std::string(user) + " is negative");
  }
  if (item[0] == '-' && canonical_integer(item.substr(1))) {
    file.fail("item id " + std::string(item) + " is negative");
  }
  const IdDictionary::Entry u = users_.add(user), i = items_.add(item);
  if (u.added) check_id_text(user, "the user id", file);
  if (i.added) check_id_text(item, "the item id", file);
  add_row(u, i, time, file);
}

void InteractionsBuilder::add_row(IdDictionary::Entry user, IdDictionary::Entry item, int64_t time,
                                  const TextFile& file) {
  if (item.added)
    item_first_seen_.push_back(file.path() + ":" + std::to_string(file.line_number()));
  data_.user.push_back(user.index);
  data_.item.push_back(item.index);
  data_.time.push_back(time);
}

void InteractionsBuilder::assign_categories(IdDictionary::Entry item,
                                            const std::vector<std::string>& categories,
                                            const TextFile* file) {
  if (item.added) categories_.emplace_back();
  std::vector<int32_t>& ids = categories_[static_cast<size_t>(item.index)];
  ids.clear();
  for (const auto& name : categories) {
    if (file != nullptr) check_utf8(name, "the category name", *file);
    auto [it, inserted] = category_ids_.emplace(name, static_cast<int32_t>(category_names_.size()));
    if (inserted) category_names_.push_back(name);
    // Once per item: a list may repeat a category (S3-Rec's LastFM lists a tag once per
    // tagging), and the common-category rule counts the items that carry it.
    if (std::find(ids.begin(), ids.end(), it->second) == ids.end()) ids.push_back(it->second);
  }
}

void InteractionsBuilder::set_categories(int64_t item, const std::vector<std::string>& categories,
                                         const TextFile* file) {
  assign_categories(category_items_.add(item), categories, file);
}

void InteractionsBuilder::set_categories(std::string_view item,
                                         const std::vector<std::string>& categories,
                                         const TextFile& file) {
  const IdDictionary::Entry entry = category_items_.add(item);
  if (entry.added) check_id_text(item, "the item id", file);
  assign_categories(entry, categories, &file);
}

Interactions InteractionsBuilder::build(const std::string& source, bool require_categories,
                                        const std::string& category_file) {
  if (data_.item.empty())
    throw UserError(source + ": no interactions (empty file or all filtered)");
  Interactions out = std::move(data_);
  out.user_original_ids = users_.release();
  out.item_original_ids = items_.release();
  out.n_users = out.user_original_ids.size();
  out.n_items = out.item_original_ids.size();
  if (!categories_.empty() || (require_categories && !category_file.empty())) {
    out.n_categories = static_cast<int64_t>(category_names_.size());
    out.category_names = category_names_;
    out.category_offsets.assign(1, 0);
    for (int64_t i = 0; i < out.n_items; ++i) {
      const std::string name = out.item_original_ids.name(i);
      const auto given = category_items_.find(name);
      if (!given || categories_[static_cast<size_t>(*given)].empty()) {
        if (require_categories) {
          throw UserError(item_first_seen_[i] + ": item " + name +
                          (category_file.empty()
                               ? " has no category, and categories are required"
                               : " is not in the item file " + category_file +
                                     (categories_.empty() ? " (which lists no items)" : "") +
                                     "; every interaction's item needs its categories there"));
        }
      } else {
        const auto& ids = categories_[static_cast<size_t>(*given)];
        out.category_ids.insert(out.category_ids.end(), ids.begin(), ids.end());
      }
      out.category_offsets.push_back(static_cast<int64_t>(out.category_ids.size()));
    }
  }
  out.sort_and_index();
  out.validate();
  *this = InteractionsBuilder();
  return out;
}

}  // namespace shiftrec
