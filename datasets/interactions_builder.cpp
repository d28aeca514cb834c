#include "datasets/interactions_builder.h"

#include "core/error.h"

namespace shiftrec {

void InteractionsBuilder::add(int64_t user, int64_t item, int64_t time, const TextFile& file) {
  // Every reader goes through here: one rule for all (an id is a non-negative integer).
  if (user < 0) file.fail("user id " + std::to_string(user) + " is negative");
  if (item < 0) file.fail("item id " + std::to_string(item) + " is negative");
  auto [u, new_user] = user_ids_.emplace(user, static_cast<int32_t>(user_ids_.size()));
  if (new_user) data_.user_original_ids.push_back(user);
  auto [i, new_item] = item_ids_.emplace(item, static_cast<int32_t>(item_ids_.size()));
  if (new_item) {
    data_.item_original_ids.push_back(item);
    item_first_seen_.push_back(file.path() + ":" + std::to_string(file.line_number()));
  }
  data_.user.push_back(u->second);
  data_.item.push_back(i->second);
  data_.time.push_back(time);
}

void InteractionsBuilder::set_categories(int64_t item, const std::vector<std::string>& categories) {
  std::vector<int32_t>& ids = categories_[item];
  ids.clear();
  for (const auto& name : categories) {
    auto [it, inserted] = category_ids_.emplace(name, static_cast<int32_t>(category_names_.size()));
    if (inserted) category_names_.push_back(name);
    ids.push_back(it->second);
  }
}

Interactions InteractionsBuilder::build(const std::string& source, bool require_categories) {
  if (data_.item.empty())
    throw UserError(source + ": no interactions (empty file or all filtered)");
  Interactions out = std::move(data_);
  out.n_users = static_cast<int64_t>(out.user_original_ids.size());
  out.n_items = static_cast<int64_t>(out.item_original_ids.size());
  if (!categories_.empty()) {
    out.n_categories = static_cast<int64_t>(category_names_.size());
    out.category_names = category_names_;
    out.category_offsets.assign(1, 0);
    for (int64_t i = 0; i < out.n_items; ++i) {
      auto it = categories_.find(out.item_original_ids[i]);
      if (it == categories_.end() || it->second.empty()) {
        if (require_categories) {
          throw UserError(item_first_seen_[i] + ": item " +
                          std::to_string(out.item_original_ids[i]) +
                          " has no category, and categories are required");
        }
      } else {
        out.category_ids.insert(out.category_ids.end(), it->second.begin(), it->second.end());
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
