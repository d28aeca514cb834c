// Train / valid / test splits over user sequences.
//
// A Split keeps every user's full chronological item sequence and says, per user, how
// long the training prefix is; each evaluation target is a (user, position) whose history
// is the user's first `history_length` items (always <= position). Nothing at or after a
// user's first target position is in its training prefix — tests check this for every
// protocol.
//
// Protocols:
//   "loo" (leave-one-out): last item = test target, second-to-last = valid target, the
//   rest is training; the history is every earlier item. Users with fewer than 3
//   interactions go wholly to training and get no targets (as in SASRec's reference code).
//   "ratio": per user in time order, the first `train` share is training, the next `valid`
//   share valid targets, the rest test targets (each part at least one item when the user
//   has >= 3). A target's history is everything before its split's first target.
//   "temporal": one global cut time for valid and one for test: interactions before
//   valid_cut train, [valid_cut, test_cut) valid, from test_cut on test — so no training
//   interaction is at or after any valid or test interaction. Histories as for "ratio".
//   "given": the split that came with the data (Interactions::given_split, e.g. LightGCN's
//   train.txt / test.txt). Histories as for "ratio".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/interactions.h"

namespace shiftrec {

class ConfigSection;

struct EvalTargets {
  std::vector<int32_t> user;            // [T]
  std::vector<int32_t> position;        // [T] index of the target within the user's sequence
  std::vector<int32_t> item;            // [T] the target item
  std::vector<int32_t> history_length;  // [T] items of the user's sequence the model sees
  int64_t size() const { return static_cast<int64_t>(user.size()); }
  // Targets that share one history form a query (a user's several test items under ratio,
  // temporal or given; one target under loo): query q owns targets [offsets[q], offsets[q+1]).
  // -> [n_queries + 1]. Targets are stored query by query.
  std::vector<int64_t> query_offsets() const;
};

struct Split {
  std::string protocol;
  int64_t n_users = 0;
  int64_t n_items = 0;
  std::vector<int64_t> offsets;  // [n_users + 1] into items
  std::vector<int32_t> items;    // every user's full sequence, time order
  // Aligned with items: each interaction's time, in the data's unit. Empty when the data has
  // no timestamps (Interactions::has_timestamps()).
  std::vector<int64_t> times;
  std::vector<int64_t> train_length;  // [n_users] training prefix length per user
  // [n_users], or empty (every target supervised): training targets at indices before this
  // one of the user's sequence are inputs only, never targets — an update that trains on the
  // new interactions alone (experiments/experiment.h, UpdateOptions::new_targets_only).
  std::vector<int64_t> supervised_from;
  EvalTargets valid;
  EvalTargets test;
  int64_t valid_cut = 0;  // temporal protocol: the cut times (0 otherwise)
  int64_t test_cut = 0;

  const EvalTargets& targets(const std::string& split_name) const;  // "valid" or "test"
  int64_t train_size() const;
  // The distinct items of user u's training prefix, ascending, into `out` (reused buffer).
  void distinct_train_items(int64_t u, std::vector<int32_t>& out) const;
  // Training interactions counted per item, [n_items].
  std::vector<int64_t> train_item_counts() const;
};

Split leave_one_out(const Interactions& data);

// A copy of `split` with the training prefixes and the valid and test targets of `users`
// (ascending) only: every other user's prefix is empty and its targets are gone. What an update
// trains and validates on — the users with new interactions and their newest items.
Split restricted_to_users(const Split& split, const std::vector<int32_t>& users);
// A copy of `split` whose validation targets are those of `users` (ascending) only; training
// prefixes and test targets unchanged. What early stopping reads under eval.valid_users.
Split with_valid_users(const Split& split, const std::vector<int32_t>& users);
// `count` distinct users drawn uniformly from those with validation targets (all of them when
// there are no more), ascending; the draw depends on `seed` alone.
std::vector<int32_t> sample_valid_users(const Split& split, int64_t count, uint64_t seed);
// `train` and `valid` are shares in (0, 1) with train + valid < 1.
Split ratio_split(const Interactions& data, double train, double valid);
// Throws UserError when `data` carries no split or a user's train rows do not come first.
Split given_split(const Interactions& data);
// valid_cut <= test_cut, in the data's time unit.
Split temporal_split(const Interactions& data, int64_t valid_cut, int64_t test_cut);
// Reads [split] (protocol = "loo" | "ratio" | "temporal" | "given" and that protocol's options) and
// splits `data`. Errors name the config key.
Split split_from_config(ConfigSection section, const Interactions& data);

// The time below which `share` of all interactions lie (for quantile-based cuts).
int64_t time_quantile(const Interactions& data, double share);

}  // namespace shiftrec
