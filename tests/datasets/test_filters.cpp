#include "datasets/filters.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace shiftrec {
namespace {

// Rows: (user, item, time) with original ids = 100 + dense id for users, 10 * id for items.
Interactions make(int64_t n_users, int64_t n_items,
                  const std::vector<std::tuple<int32_t, int32_t, int64_t>>& rows) {
  Interactions d;
  d.n_users = n_users;
  d.n_items = n_items;
  for (const auto& [u, i, t] : rows) {
    d.user.push_back(u);
    d.item.push_back(i);
    d.time.push_back(t);
  }
  for (int64_t u = 0; u < n_users; ++u) d.user_original_ids.push_back(100 + u);
  for (int64_t i = 0; i < n_items; ++i) d.item_original_ids.push_back(10 * i);
  d.sort_and_index();
  d.validate();
  return d;
}

std::vector<int64_t> original_items(const Interactions& d) {
  std::vector<int64_t> out;
  for (int32_t i : d.item) out.push_back(d.item_original_ids.numbers()[i]);
  return out;
}

TEST(Filters, DuplicatePolicies) {
  // User 0: items 1 (t=1), 2 (t=2), 1 (t=3).
  const Interactions d = make(1, 3, {{0, 1, 1}, {0, 2, 2}, {0, 1, 3}});
  FilterOptions o;
  o.duplicates = "keep_first";
  EXPECT_EQ(original_items(apply_filters(d, o)), (std::vector<int64_t>{10, 20}));
  o.duplicates = "keep_last";
  const Interactions last = apply_filters(d, o);
  EXPECT_EQ(original_items(last), (std::vector<int64_t>{20, 10}));
  EXPECT_EQ(last.time, (std::vector<int64_t>{2, 3}));
}

TEST(Filters, KCoreIsIterative) {
  // 2-core. Item 3 has one interaction (user 2): dropping it leaves user 2 with one
  // interaction (item 2), so user 2 goes; then item 2 has one (user 1) and goes; then user 1
  // has only item 0 and goes. Users 0 and 3 with items 0 and 1 remain.
  const Interactions d = make(
      4, 4,
      {{0, 0, 1}, {0, 1, 2}, {1, 0, 1}, {1, 2, 2}, {2, 2, 1}, {2, 3, 2}, {3, 0, 1}, {3, 1, 2}});
  FilterOptions o;
  o.min_user_interactions = 2;
  o.min_item_interactions = 2;
  const Interactions core = apply_filters(d, o);
  EXPECT_EQ(core.user_original_ids.numbers(), (std::vector<int64_t>{100, 103}));
  EXPECT_EQ(core.item_original_ids.numbers(), (std::vector<int64_t>{0, 10}));
  EXPECT_EQ(core.size(), 4);
  core.validate();
}

TEST(Filters, MinSequenceLengthAndCategoriesKept) {
  Interactions d = make(2, 3, {{0, 0, 1}, {0, 1, 2}, {0, 2, 3}, {1, 2, 1}});
  d.n_categories = 3;
  d.category_names = {"a", "b", "c"};
  d.category_offsets = {0, 1, 2, 4};
  d.category_ids = {0, 1, 1, 2};  // item 0: a; item 1: b; item 2: b c
  FilterOptions o;
  o.min_sequence_length = 3;
  const Interactions kept = apply_filters(d, o);
  EXPECT_EQ(kept.n_users, 1);
  EXPECT_EQ(kept.user_original_ids.numbers(), (std::vector<int64_t>{100}));
  EXPECT_EQ(kept.n_categories, 3);
  kept.validate();
  // Drop item 0 (category a): categories re-densify to b, c.
  std::vector<bool> keep = {false, true, true, true};
  const Interactions without_a = select_rows(d, keep);
  EXPECT_EQ(without_a.category_names, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(without_a.category_ids, (std::vector<int32_t>{0, 0, 1}));
  EXPECT_THROW(select_rows(d, std::vector<bool>(4, false)), UserError);
}

}  // namespace
}  // namespace shiftrec
