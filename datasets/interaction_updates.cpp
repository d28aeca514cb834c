#include "datasets/interaction_updates.h"

#include <algorithm>
#include <unordered_map>

#include "core/error.h"

namespace shiftrec {
namespace {

// Maps original ids to indices, adding unseen ones after `known`'s. Returns [n_update] the
// index in the merged numbering of each of the update's indices. Text ids cannot join a run
// whose ids are numbers (its exports and dumps would change type): an error naming the first.
std::vector<int32_t> match_ids(OriginalIds& known, const OriginalIds& update, int64_t& added,
                               const char* what, const std::string& update_name) {
  if (update.is_text() && !known.is_text()) {
    throw UserError(update_name + ": " + what + " id \"" + update.name(0) +
                    "\" is text, but the run's " + what +
                    " ids are numbers; an update must use the run's ids");
  }
  IdDictionary index(std::move(known));
  std::vector<int32_t> mapped(static_cast<size_t>(update.size()));
  added = 0;
  for (int64_t i = 0; i < update.size(); ++i) {
    const IdDictionary::Entry entry = index.add(std::string_view(update.name(i)));
    added += entry.added ? 1 : 0;
    mapped[static_cast<size_t>(i)] = entry.index;
  }
  known = index.release();
  return mapped;
}

// Throws when one side has timestamps and the other not, or when an update interaction is
// older than the store's latest.
void check_update_is_newer(const Interactions& base, const Interactions& update,
                           const std::string& update_name) {
  const bool base_timed = base.has_timestamps(), update_timed = update.has_timestamps();
  if (base_timed != update_timed) {
    throw UserError(update_name + ": " + (update_timed ? "has" : "has no") +
                    " timestamps but the run's data " + (base_timed ? "has" : "has none") +
                    "; an update must come in the run's format");
  }
  if (!base_timed || base.time.empty() || update.time.empty()) return;
  const int64_t latest = *std::max_element(base.time.begin(), base.time.end());
  int64_t older = 0;
  size_t first = update.time.size();
  for (size_t i = 0; i < update.time.size(); ++i) {
    if (update.time[i] < latest) {
      ++older;
      if (first == update.time.size()) first = i;
    }
  }
  if (older > 0) {
    throw UserError(update_name + ": " + std::to_string(older) + " of " +
                    std::to_string(update.size()) +
                    " interactions are older than the run's data, which ends at time " +
                    std::to_string(latest) + " (the first: user " +
                    update.user_original_ids.name(update.user[first]) + ", item " +
                    update.item_original_ids.name(update.item[first]) + " at " +
                    std::to_string(update.time[first]) +
                    "); an update adds what happened after the run's data: retrain to rewrite "
                    "the past");
  }
}

}  // namespace

UpdatedInteractions append_interactions(const Interactions& base, const Interactions& update,
                                        const std::string& update_name) {
  if (!base.given_split.empty()) {
    throw UserError(update_name + ": the run's data came with its own split (" +
                    std::to_string(base.n_users) +
                    " users' train/test files); such data takes no updates: retrain");
  }
  check_update_is_newer(base, update, update_name);
  UpdatedInteractions out;
  Interactions& m = out.merged;
  m.user_original_ids = base.user_original_ids;
  m.item_original_ids = base.item_original_ids;
  const std::vector<int32_t> user_of =
      match_ids(m.user_original_ids, update.user_original_ids, out.new_users, "user", update_name);
  const std::vector<int32_t> item_of =
      match_ids(m.item_original_ids, update.item_original_ids, out.new_items, "item", update_name);
  m.n_users = m.user_original_ids.size();
  m.n_items = m.item_original_ids.size();

  // Categories: the store's, plus the new items' (matched by name; new names appended).
  if (base.has_categories() || update.has_categories()) {
    const auto names_of = [](const Interactions& d) {
      std::vector<std::string> names;
      for (int64_t c = 0; c < d.n_categories; ++c) names.push_back(d.category_name(c));
      return names;
    };
    const std::vector<std::string> update_names = names_of(update);
    m.category_names = names_of(base);
    std::unordered_map<std::string, int32_t> category_index;
    for (size_t c = 0; c < m.category_names.size(); ++c) {
      category_index.emplace(m.category_names[c], static_cast<int32_t>(c));
    }
    std::vector<std::vector<int32_t>> new_item_categories(out.new_items);
    const int64_t first_new = base.n_items;
    for (int64_t i = 0; i < update.n_items && update.has_categories(); ++i) {
      if (item_of[i] < first_new) continue;  // a known item keeps the store's categories
      for (int64_t k = update.category_offsets[i]; k < update.category_offsets[i + 1]; ++k) {
        const std::string& name = update_names[update.category_ids[k]];
        auto [it, inserted] =
            category_index.emplace(name, static_cast<int32_t>(m.category_names.size()));
        if (inserted) m.category_names.push_back(name);
        new_item_categories[item_of[i] - first_new].push_back(it->second);
      }
    }
    m.category_offsets =
        base.has_categories() ? base.category_offsets : std::vector<int64_t>(base.n_items + 1, 0);
    m.category_ids = base.category_ids;
    for (auto& categories : new_item_categories) {
      std::sort(categories.begin(), categories.end());
      m.category_ids.insert(m.category_ids.end(), categories.begin(), categories.end());
      m.category_offsets.push_back(static_cast<int64_t>(m.category_ids.size()));
    }
    m.n_categories = static_cast<int64_t>(m.category_names.size());
    if (base.category_names.empty() && update.category_names.empty()) m.category_names.clear();
  }

  // Rows: the store's, then the update's (each user's new rows after its old ones).
  const bool timed = base.has_timestamps();
  std::vector<int64_t> next_position(m.n_users, 0);
  for (int64_t u = 0; u < base.n_users; ++u) next_position[u] = base.sequence_length(u);
  m.user = base.user;
  m.item = base.item;
  m.time = base.time;
  std::vector<uint8_t> touched(m.n_users, 0);
  for (int64_t row = 0; row < update.size(); ++row) {
    const int32_t u = user_of[update.user[row]];
    m.user.push_back(u);
    m.item.push_back(item_of[update.item[row]]);
    m.time.push_back(timed ? update.time[row] : next_position[u]++);
    touched[u] = 1;
  }
  m.sort_and_index();
  m.validate();
  for (int64_t u = 0; u < m.n_users; ++u) {
    if (touched[u]) out.updated_users.push_back(static_cast<int32_t>(u));
  }
  return out;
}

}  // namespace shiftrec
