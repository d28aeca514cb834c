// Carries a trained model's parameters into the same architecture built for more users and
// items (`shiftrec update`: the data gained new ones; datasets/interaction_updates.h keeps
// every old index). Parameters are matched by name:
//   same shape                       copied
//   item rows  [1 + items + extra, ...] (row 0 padding, then the items, then tokens such as
//              BERT4Rec's [mask]): old rows copied to the same items and tokens; a new item's
//              row starts as the mean of the old items that share a category with it (all old
//              items when none does) — close to where its neighbours are, not at random
//   user rows  [users, ...]: old rows copied; a new user's row starts as the old users' mean
//   category rows [categories, ...] (the `categories` item encoder's table): old rows copied;
//              a new category's row starts at zero, as every category's did in training
// anything else is a UserError naming the parameter. Buffers are not copied: they are
// computed from the data (graphs, category tables, popularity) and the new model already
// computed them from the grown data.
#pragma once

#include <cstdint>
#include <vector>

namespace shiftrec {

class Recommender;
struct Interactions;

struct Growth {
  int64_t old_items = 0, new_items = 0;
  int64_t old_users = 0, new_users = 0;
  int64_t old_categories = 0, new_categories = 0;
  // Per new item (item old_items + k): the old items sharing one of its categories.
  std::vector<std::vector<int64_t>> new_item_peers;

  // Old store -> grown store, which keeps the old indices (items [0, old_items) and users).
  static Growth between(const Interactions& old_data, const Interactions& grown_data);
};

void grow_parameters(Recommender& from, Recommender& to, const Growth& growth);

}  // namespace shiftrec
