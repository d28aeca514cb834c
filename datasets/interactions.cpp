#include "datasets/interactions.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"

namespace shiftrec {

void Interactions::sort_and_index() {
  const size_t n = item.size();
  SHIFTREC_ASSERT(user.size() == n && time.size() == n, "interaction columns differ in length");
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), int64_t{0});
  const bool sorted = std::is_sorted(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return user[a] != user[b] ? user[a] < user[b] : time[a] < time[b];
  });
  if (!sorted) {
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return user[a] != user[b] ? user[a] < user[b] : time[a] < time[b];
    });
    auto permute = [&order](auto& column) {
      auto copy = column;
      for (size_t i = 0; i < order.size(); ++i) column[i] = copy[order[i]];
    };
    permute(user);
    permute(item);
    permute(time);
    if (!given_split.empty()) permute(given_split);
  }
  user_offsets.assign(n_users + 1, 0);
  for (int32_t u : user) ++user_offsets[u + 1];
  std::partial_sum(user_offsets.begin(), user_offsets.end(), user_offsets.begin());
}

std::string Interactions::category_name(int64_t c) const {
  return category_names.empty() ? std::to_string(c) : category_names[static_cast<size_t>(c)];
}

bool Interactions::has_timestamps() const {
  for (int64_t u = 0; u < n_users; ++u) {
    for (int64_t row = user_offsets[u]; row < user_offsets[u + 1]; ++row) {
      if (time[row] != row - user_offsets[u]) return true;
    }
  }
  return false;
}

std::string Interactions::first_violation() const {
  const size_t n = item.size();
  if (n_users < 0 || n_items < 0 || n_categories < 0) return "a negative count";
  if (user.size() != n || time.size() != n) return "interaction columns differ in length";
  if (user_offsets.size() != static_cast<size_t>(n_users) + 1) {
    return "user_offsets has the wrong length";
  }
  if (user_offsets.front() != 0 || user_offsets.back() != static_cast<int64_t>(n)) {
    return "user_offsets does not run from 0 to n";
  }
  if (!given_split.empty() && given_split.size() != n) return "given_split has the wrong length";
  if (user_original_ids.size() != n_users) {
    return "user_original_ids has the wrong length";
  }
  if (item_original_ids.size() != n_items) {
    return "item_original_ids has the wrong length";
  }
  for (int64_t u = 0; u < n_users; ++u) {
    if (user_offsets[u] > user_offsets[u + 1]) return "user_offsets decrease";
    for (int64_t row = user_offsets[u]; row < user_offsets[u + 1]; ++row) {
      if (user[row] != u) return "rows not sorted by user, or user_offsets off";
      if (item[row] < 0 || item[row] >= n_items) return "item id out of range";
      if (row > user_offsets[u] && time[row - 1] > time[row]) {
        return "rows not sorted by (user, time)";
      }
    }
  }
  if (has_categories()) {
    if (category_offsets.size() != static_cast<size_t>(n_items) + 1) {
      return "category_offsets has the wrong length";
    }
    if (category_offsets.front() != 0 ||
        category_offsets.back() != static_cast<int64_t>(category_ids.size())) {
      return "category_offsets does not run from 0 to the number of category ids";
    }
    for (int64_t i = 0; i < n_items; ++i) {
      if (category_offsets[i] > category_offsets[i + 1]) return "category_offsets decrease";
    }
    for (int32_t c : category_ids) {
      if (c < 0 || c >= n_categories) return "category id out of range";
    }
    std::vector<int64_t> carried_by(static_cast<size_t>(n_categories), -1);  // last item seen
    for (int64_t i = 0; i < n_items; ++i) {
      for (int64_t k = category_offsets[i]; k < category_offsets[i + 1]; ++k) {
        int64_t& last = carried_by[static_cast<size_t>(category_ids[k])];
        if (last == i) return "an item lists a category twice";
        last = i;
      }
    }
  }
  if (!category_names.empty() && category_names.size() != static_cast<size_t>(n_categories)) {
    return "category_names has the wrong length";
  }
  return "";
}

void Interactions::validate() const {
  const std::string violation = first_violation();
  SHIFTREC_ASSERT(violation.empty(), violation);
}

}  // namespace shiftrec
