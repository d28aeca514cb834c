// Filters applied to a loaded store before it is split, in this order:
//   1. duplicates: repeated (user, item) pairs — "keep_all" (default), "keep_first" (the
//      earliest) or "keep_last" (the latest);
//   2. iterative k-core: drop users with fewer than min_user_interactions and items with
//      fewer than min_item_interactions, repeating until both hold (dropping an item can
//      push a user under the bound and back);
//   3. min_sequence_length: drop users with fewer interactions (after the k-core).
// Ids are re-densified; original ids and category sets are kept. Rows (user, time) order is
// preserved.
//
//   [data]
//   duplicates = "keep_all"
//   min_user_interactions = 0
//   min_item_interactions = 0
//   min_sequence_length = 0
#pragma once

#include <cstdint>
#include <string>

#include "datasets/interactions.h"

namespace shiftrec {

class ConfigSection;

struct FilterOptions {
  std::string duplicates = "keep_all";
  int64_t min_user_interactions = 0;
  int64_t min_item_interactions = 0;
  int64_t min_sequence_length = 0;

  static FilterOptions from_config(ConfigSection section);
  bool active() const {
    return duplicates != "keep_all" || min_user_interactions > 1 || min_item_interactions > 1 ||
           min_sequence_length > 1;
  }
};

// Throws UserError when nothing survives.
Interactions apply_filters(const Interactions& data, const FilterOptions& options);

// Keeps the rows where keep[row] is true, re-densifying user, item and category ids.
Interactions select_rows(const Interactions& data, const std::vector<bool>& keep);

}  // namespace shiftrec
