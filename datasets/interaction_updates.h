// New interactions appended to a store (`shiftrec update`): the update file is read like the
// store's own source, then its users, items and categories are matched to the store's by
// original id (categories by name); new ones get the next indices, in order of first
// appearance, so every index the store had keeps its meaning (a trained model's rows stay
// valid, and only rows for the new users and items are added).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/interactions.h"

namespace shiftrec {

struct UpdatedInteractions {
  Interactions merged;
  std::vector<int32_t> updated_users;  // ascending: the merged indices of the update's users
  int64_t new_users = 0;
  int64_t new_items = 0;
};

// `update_name` names the update in errors. Throws UserError when the update is older than
// the store (an interaction before the store's latest time: updates extend the data in time),
// when one side has timestamps and the other not, or when the store came with a given split.
// Without timestamps, a user's new items follow the old ones in file order.
UpdatedInteractions append_interactions(const Interactions& base, const Interactions& update,
                                        const std::string& update_name);

}  // namespace shiftrec
