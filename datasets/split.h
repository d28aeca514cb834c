// Train / valid / test splits over user sequences.
//
// A Split keeps every user's full chronological item sequence and says, per user, how
// long the training prefix is; each evaluation target is a (user, position) whose history
// is the user's items before that position. Nothing at or after a user's first target
// position is in its training prefix — tests check this for every protocol.
//
// Protocols:
//   "loo" (leave-one-out): last item = test target, second-to-last = valid target, the
//   rest is training. Users with fewer than 3 interactions go wholly to training and get
//   no targets (as in SASRec's reference code).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/interactions.h"

namespace shiftrec {

struct EvalTargets {
  std::vector<int32_t> user;      // [T]
  std::vector<int32_t> position;  // [T] index of the target within the user's sequence
  std::vector<int32_t> item;      // [T] the target item
  int64_t size() const { return static_cast<int64_t>(user.size()); }
};

struct Split {
  std::string protocol;
  int64_t n_users = 0;
  int64_t n_items = 0;
  std::vector<int64_t> offsets;       // [n_users + 1] into items
  std::vector<int32_t> items;         // every user's full sequence, time order
  std::vector<int64_t> train_length;  // [n_users] training prefix length per user
  EvalTargets valid;
  EvalTargets test;

  const EvalTargets& targets(const std::string& split_name) const;  // "valid" or "test"
  int64_t train_size() const;
  // Training interactions counted per item, [n_items].
  std::vector<int64_t> train_item_counts() const;
};

Split leave_one_out(const Interactions& data);

}  // namespace shiftrec
