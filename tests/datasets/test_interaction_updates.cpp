// Appending an update to a store: old indices keep their meaning, new users, items and
// categories come after them, and an update that rewrites the past is refused.
#include "datasets/interaction_updates.h"

#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "datasets/split.h"

namespace shiftrec {
namespace {

struct Row {
  int64_t user, item, time;
};

// A store from rows of original ids; `categories[k]` are the names of the k-th distinct item
// in order of first appearance.
Interactions store(const std::vector<Row>& rows,
                   const std::vector<std::vector<std::string>>& cats) {
  Interactions d;
  std::map<int64_t, int32_t> users, items;
  for (const Row& r : rows) {
    auto [u, new_user] = users.emplace(r.user, static_cast<int32_t>(users.size()));
    if (new_user) d.user_original_ids.push_back(r.user);
    auto [i, new_item] = items.emplace(r.item, static_cast<int32_t>(items.size()));
    if (new_item) d.item_original_ids.push_back(r.item);
    d.user.push_back(u->second);
    d.item.push_back(i->second);
    d.time.push_back(r.time);
  }
  d.n_users = static_cast<int64_t>(users.size());
  d.n_items = static_cast<int64_t>(items.size());
  std::map<std::string, int32_t> names;
  d.category_offsets.push_back(0);
  for (const auto& item_categories : cats) {
    for (const auto& name : item_categories) {
      auto [c, inserted] = names.emplace(name, static_cast<int32_t>(d.category_names.size()));
      if (inserted) d.category_names.push_back(name);
      d.category_ids.push_back(c->second);
    }
    d.category_offsets.push_back(static_cast<int64_t>(d.category_ids.size()));
  }
  d.n_categories = static_cast<int64_t>(d.category_names.size());
  d.sort_and_index();
  d.validate();
  return d;
}

TEST(InteractionUpdates, OldIndicesStayNewOnesFollowAndCategoriesMatchByName) {
  // Base: users 10, 20; items 100 (a), 200 (b), 300 (a).
  const Interactions base =
      store({{10, 100, 1}, {10, 200, 2}, {20, 300, 3}, {20, 100, 4}}, {{"a"}, {"b"}, {"a"}});
  // Update: user 20 again (item 200), new user 30 with a new item 400 (b, c) and item 100.
  const Interactions update =
      store({{20, 200, 5}, {30, 400, 6}, {30, 100, 7}}, {{"b"}, {"c", "b"}, {"a"}});
  const UpdatedInteractions u = append_interactions(base, update, "new.csv");
  const Interactions& m = u.merged;
  EXPECT_EQ(m.user_original_ids.numbers(), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(m.item_original_ids.numbers(), (std::vector<int64_t>{100, 200, 300, 400}));
  EXPECT_EQ(u.new_users, 1);
  EXPECT_EQ(u.new_items, 1);
  EXPECT_EQ(u.updated_users, (std::vector<int32_t>{1, 2}));
  // User 20 (index 1): items 300, 100 then the new 200, in time order.
  EXPECT_EQ(
      std::vector<int32_t>(m.item.begin() + m.user_offsets[1], m.item.begin() + m.user_offsets[2]),
      (std::vector<int32_t>{2, 0, 1}));
  EXPECT_EQ(std::vector<int32_t>(m.item.begin() + m.user_offsets[2], m.item.end()),
            (std::vector<int32_t>{3, 0}));
  // Categories: a = 0, b = 1 as before; c is new (2). Item 400 is in b and c.
  EXPECT_EQ(m.category_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(m.n_categories, 3);
  EXPECT_EQ(std::vector<int32_t>(m.category_ids.begin() + m.category_offsets[3],
                                 m.category_ids.begin() + m.category_offsets[4]),
            (std::vector<int32_t>{1, 2}));
  // Known items keep the store's categories (item 100 stays "a").
  EXPECT_EQ(m.category_ids[m.category_offsets[0]], 0);
}

TEST(InteractionUpdates, AnUpdateOlderThanTheStoreIsRefusedWithTheFirstOffender) {
  const Interactions base = store({{10, 100, 50}, {10, 200, 60}}, {{"a"}, {"a"}});
  const Interactions update = store({{10, 300, 70}, {20, 100, 55}}, {{"a"}, {"a"}});
  try {
    append_interactions(base, update, "late.csv");
    FAIL() << "an update before the store's end was accepted";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("late.csv: 1 of 2 interactions are older than the run's data, which "
                           "ends at time 60 (the first: user 20, item 100 at 55)"),
              std::string::npos)
        << message;
  }
}

TEST(InteractionUpdates, WithoutTimestampsNewItemsFollowTheOldOnes) {
  // Times are positions: the store has none of its own.
  const Interactions base = store({{10, 100, 0}, {10, 200, 1}}, {{"a"}, {"a"}});
  const Interactions update = store({{10, 300, 0}, {10, 100, 1}}, {{"a"}, {"a"}});
  const Interactions m = append_interactions(base, update, "u.csv").merged;
  EXPECT_EQ(m.item, (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(m.time, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_FALSE(m.has_timestamps());
}

TEST(InteractionUpdates, DataWithAGivenSplitTakesNoUpdates) {
  Interactions base = store({{10, 100, 1}, {10, 200, 2}}, {{"a"}, {"a"}});
  base.given_split = {0, 2};
  const Interactions update = store({{10, 100, 3}}, {{"a"}});
  EXPECT_THROW(append_interactions(base, update, "u.csv"), UserError);
}

TEST(InteractionUpdates, ARestrictedSplitKeepsOnlyTheUpdatedUsersTrainingAndTargets) {
  std::vector<Row> rows;
  for (int64_t u = 0; u < 4; ++u) {
    for (int64_t t = 0; t < 5; ++t) rows.push_back({u, 100 + (u + t) % 6, 10 * u + t});
  }
  std::vector<std::vector<std::string>> cats(6, {"a"});
  const Split split = leave_one_out(store(rows, cats));
  const Split only = restricted_to_users(split, {1, 3});
  EXPECT_EQ(only.train_length, (std::vector<int64_t>{0, 3, 0, 3}));
  EXPECT_EQ(only.valid.user, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(only.test.user, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(only.test.item, (std::vector<int32_t>{split.test.item[1], split.test.item[3]}));
  EXPECT_EQ(only.items, split.items);  // sequences untouched: histories still read them
}

}  // namespace
}  // namespace shiftrec
