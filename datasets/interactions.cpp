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

bool Interactions::has_timestamps() const {
  for (int64_t u = 0; u < n_users; ++u) {
    for (int64_t row = user_offsets[u]; row < user_offsets[u + 1]; ++row) {
      if (time[row] != row - user_offsets[u]) return true;
    }
  }
  return false;
}

void Interactions::validate() const {
  const size_t n = item.size();
  SHIFTREC_ASSERT(user.size() == n && time.size() == n, "interaction columns differ in length");
  SHIFTREC_ASSERT(static_cast<int64_t>(user_offsets.size()) == n_users + 1,
                  "user_offsets has the wrong length");
  SHIFTREC_ASSERT(given_split.empty() || given_split.size() == n,
                  "given_split has the wrong length");
  SHIFTREC_ASSERT(user_offsets.back() == static_cast<int64_t>(n), "user_offsets does not end at n");
  for (size_t i = 0; i < n; ++i) {
    SHIFTREC_ASSERT(user[i] >= 0 && user[i] < n_users, "user id out of range");
    SHIFTREC_ASSERT(item[i] >= 0 && item[i] < n_items, "item id out of range");
    if (i > 0) {
      SHIFTREC_ASSERT(user[i - 1] < user[i] || (user[i - 1] == user[i] && time[i - 1] <= time[i]),
                      "rows not sorted by (user, time)");
    }
  }
  SHIFTREC_ASSERT(static_cast<int64_t>(user_original_ids.size()) == n_users,
                  "user_original_ids has the wrong length");
  SHIFTREC_ASSERT(static_cast<int64_t>(item_original_ids.size()) == n_items,
                  "item_original_ids has the wrong length");
  if (has_categories()) {
    SHIFTREC_ASSERT(static_cast<int64_t>(category_offsets.size()) == n_items + 1,
                    "category_offsets has the wrong length");
    SHIFTREC_ASSERT(category_offsets.back() == static_cast<int64_t>(category_ids.size()),
                    "category_offsets does not end at the number of category ids");
    for (int32_t c : category_ids) {
      SHIFTREC_ASSERT(c >= 0 && c < n_categories, "category id out of range");
    }
  }
}

}  // namespace shiftrec
