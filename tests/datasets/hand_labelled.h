// A tiny store with categories whose shift labels are worked out by hand (test_shift_labels).
#pragma once

#include "datasets/interactions.h"

namespace shiftrec::testing {

// Categories: 0 = A, 1 = B, 2 = C, 3 = ROOT (every item carries it, so it is ignored).
// Items: i0 {A}, i1 {B}, i2 {C}, i3 {A, C}, i4 {ROOT only}.
// User 0: i0 i1 i2 i1 i0 i4.  User 1: i0 i1 i3 i2.
inline Interactions hand_labelled() {
  Interactions d;
  d.n_users = 2;
  d.n_items = 5;
  d.n_categories = 4;
  d.user = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  d.item = {0, 1, 2, 1, 0, 4, 0, 1, 3, 2};
  for (int i = 0; i < 10; ++i) d.time.push_back(i);
  d.user_original_ids = {0, 1};
  d.item_original_ids = {0, 1, 2, 3, 4};
  d.category_offsets = {0, 2, 4, 6, 9, 10};
  d.category_ids = {0, 3, 1, 3, 2, 3, 0, 2, 3, 3};
  d.sort_and_index();
  d.validate();
  return d;
}

}  // namespace shiftrec::testing
