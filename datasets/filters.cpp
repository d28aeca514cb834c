#include "datasets/filters.h"

#include <unordered_map>

#include "core/config.h"
#include "core/error.h"

namespace shiftrec {

FilterOptions FilterOptions::from_config(ConfigSection s) {
  FilterOptions o;
  o.duplicates = s.get_string("duplicates", o.duplicates,
                              "repeated (user, item) pairs: keep_all, keep_first or keep_last",
                              {"keep_all", "keep_first", "keep_last"});
  o.min_user_interactions = s.get_int("min_user_interactions", o.min_user_interactions, 0, 1 << 30,
                                      "k-core: users need at least this many");
  o.min_item_interactions = s.get_int("min_item_interactions", o.min_item_interactions, 0, 1 << 30,
                                      "k-core: items need at least this many");
  o.min_sequence_length = s.get_int("min_sequence_length", o.min_sequence_length, 0, 1 << 30,
                                    "drop users with shorter sequences (after the k-core)");
  return o;
}

Interactions select_rows(const Interactions& data, const std::vector<bool>& keep) {
  Interactions out;
  std::vector<int32_t> user_map(data.n_users, -1), item_map(data.n_items, -1);
  for (int64_t row = 0; row < data.size(); ++row) {
    if (!keep[row]) continue;
    int32_t& u = user_map[data.user[row]];
    if (u < 0) {
      u = static_cast<int32_t>(out.user_original_ids.size());
      out.user_original_ids.push_back_from(data.user_original_ids, data.user[row]);
    }
    int32_t& i = item_map[data.item[row]];
    if (i < 0) {
      i = static_cast<int32_t>(out.item_original_ids.size());
      out.item_original_ids.push_back_from(data.item_original_ids, data.item[row]);
    }
    out.user.push_back(u);
    out.item.push_back(i);
    out.time.push_back(data.time[row]);
    if (!data.given_split.empty()) out.given_split.push_back(data.given_split[row]);
  }
  if (out.item.empty()) throw UserError("filters removed every interaction");
  out.n_users = out.user_original_ids.size();
  out.n_items = out.item_original_ids.size();
  if (data.has_categories()) {
    // Kept items in their new order; category ids stay dense over the categories still used.
    std::vector<int32_t> old_item(out.n_items);
    for (int64_t i = 0; i < data.n_items; ++i) {
      if (item_map[i] >= 0) old_item[item_map[i]] = static_cast<int32_t>(i);
    }
    std::vector<int32_t> category_map(data.n_categories, -1);
    out.category_offsets.assign(1, 0);
    for (int32_t i : old_item) {
      for (int64_t k = data.category_offsets[i]; k < data.category_offsets[i + 1]; ++k) {
        int32_t& c = category_map[data.category_ids[k]];
        if (c < 0) {
          c = static_cast<int32_t>(out.n_categories++);
          if (!data.category_names.empty()) {
            out.category_names.push_back(data.category_names[data.category_ids[k]]);
          }
        }
        out.category_ids.push_back(c);
      }
      out.category_offsets.push_back(static_cast<int64_t>(out.category_ids.size()));
    }
  }
  out.sort_and_index();
  return out;
}

Interactions apply_filters(const Interactions& data, const FilterOptions& o) {
  std::vector<bool> keep(data.size(), true);
  if (o.duplicates != "keep_all") {
    // Rows are in (user, time) order, so the first row of a pair is its earliest.
    const bool keep_first = o.duplicates == "keep_first";
    std::unordered_map<int32_t, int64_t> chosen;  // item -> row, per user
    for (int64_t u = 0; u < data.n_users; ++u) {
      chosen.clear();
      for (int64_t row = data.user_offsets[u]; row < data.user_offsets[u + 1]; ++row) {
        auto [it, fresh] = chosen.emplace(data.item[row], row);
        if (fresh) continue;
        if (keep_first) {
          keep[row] = false;
        } else {
          keep[it->second] = false;
          it->second = row;
        }
      }
    }
  }
  // Iterative k-core over the bipartite user-item graph: drop under-degree vertices until
  // none is left; each pass removes at least one vertex or stops.
  const int64_t min_user = std::max(o.min_user_interactions, o.min_sequence_length);
  if (o.min_item_interactions > 1 || o.min_user_interactions > 1) {
    while (true) {
      std::vector<int64_t> user_degree(data.n_users, 0), item_degree(data.n_items, 0);
      for (int64_t row = 0; row < data.size(); ++row) {
        if (!keep[row]) continue;
        ++user_degree[data.user[row]];
        ++item_degree[data.item[row]];
      }
      bool changed = false;
      for (int64_t row = 0; row < data.size(); ++row) {
        if (keep[row] && (user_degree[data.user[row]] < o.min_user_interactions ||
                          item_degree[data.item[row]] < o.min_item_interactions)) {
          keep[row] = false;
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  if (min_user > o.min_user_interactions) {  // min_sequence_length, after the k-core
    std::vector<int64_t> length(data.n_users, 0);
    for (int64_t row = 0; row < data.size(); ++row) length[data.user[row]] += keep[row] ? 1 : 0;
    for (int64_t row = 0; row < data.size(); ++row) {
      if (length[data.user[row]] < o.min_sequence_length) keep[row] = false;
    }
  }
  return select_rows(data, keep);
}

}  // namespace shiftrec
