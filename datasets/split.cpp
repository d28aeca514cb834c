#include "datasets/split.h"

#include <algorithm>
#include <cmath>

#include "core/config.h"
#include "core/error.h"
#include "core/seed.h"

namespace shiftrec {

std::vector<int64_t> EvalTargets::query_offsets() const {
  std::vector<int64_t> offsets{0};
  for (int64_t t = 1; t <= size(); ++t) {
    if (t == size() || user[t] != user[t - 1] || history_length[t] != history_length[t - 1]) {
      offsets.push_back(t);
    }
  }
  return offsets;
}

void Split::distinct_train_items(int64_t u, std::vector<int32_t>& out) const {
  out.assign(items.begin() + offsets[u], items.begin() + offsets[u] + train_length[u]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

const EvalTargets& Split::targets(const std::string& split_name) const {
  if (split_name == "valid") return valid;
  if (split_name == "test") return test;
  throw UserError("unknown split \"" + split_name + "\", expected valid or test");
}

int64_t Split::train_size() const {
  int64_t total = 0;
  for (int64_t length : train_length) total += length;
  return total;
}

std::vector<int64_t> Split::train_item_counts() const {
  std::vector<int64_t> counts(n_items, 0);
  for (int64_t u = 0; u < n_users; ++u) {
    for (int64_t i = offsets[u]; i < offsets[u] + train_length[u]; ++i) ++counts[items[i]];
  }
  return counts;
}

namespace {

Split empty_split(const Interactions& data, const std::string& protocol) {
  Split split;
  split.protocol = protocol;
  split.n_users = data.n_users;
  split.n_items = data.n_items;
  split.offsets = data.user_offsets;
  split.items = data.item;
  if (data.has_timestamps()) split.times = data.time;
  split.train_length.resize(data.n_users);
  return split;
}

void add_target(EvalTargets& targets, const Interactions& data, int64_t u, int64_t position,
                int64_t history_length) {
  targets.user.push_back(static_cast<int32_t>(u));
  targets.position.push_back(static_cast<int32_t>(position));
  targets.item.push_back(data.item[data.user_offsets[u] + position]);
  targets.history_length.push_back(static_cast<int32_t>(history_length));
}

// Positions [train_end, valid_end) become valid targets and [valid_end, n) test targets.
void add_block_targets(Split& split, const Interactions& data, int64_t u, int64_t train_end,
                       int64_t valid_end) {
  split.train_length[u] = train_end;
  for (int64_t p = train_end; p < valid_end; ++p) add_target(split.valid, data, u, p, train_end);
  for (int64_t p = valid_end; p < data.sequence_length(u); ++p) {
    add_target(split.test, data, u, p, valid_end);
  }
}

}  // namespace

namespace {

// The targets of `targets` whose user is kept.
EvalTargets targets_of_kept_users(const EvalTargets& targets, const std::vector<uint8_t>& kept) {
  EvalTargets out;
  for (size_t t = 0; t < targets.user.size(); ++t) {
    if (!kept[static_cast<size_t>(targets.user[t])]) continue;
    out.user.push_back(targets.user[t]);
    out.position.push_back(targets.position[t]);
    out.item.push_back(targets.item[t]);
    out.history_length.push_back(targets.history_length[t]);
  }
  return out;
}

std::vector<uint8_t> user_mask(int64_t n_users, const std::vector<int32_t>& users) {
  std::vector<uint8_t> kept(static_cast<size_t>(n_users), 0);
  for (int32_t u : users) kept[static_cast<size_t>(u)] = 1;
  return kept;
}

}  // namespace

Split restricted_to_users(const Split& split, const std::vector<int32_t>& users) {
  Split out = split;
  const std::vector<uint8_t> kept = user_mask(split.n_users, users);
  for (int64_t u = 0; u < split.n_users; ++u) {
    if (!kept[static_cast<size_t>(u)]) out.train_length[u] = 0;
  }
  out.valid = targets_of_kept_users(split.valid, kept);
  out.test = targets_of_kept_users(split.test, kept);
  return out;
}

Split with_valid_users(const Split& split, const std::vector<int32_t>& users) {
  Split out = split;
  out.valid = targets_of_kept_users(split.valid, user_mask(split.n_users, users));
  return out;
}

std::vector<int32_t> sample_valid_users(const Split& split, int64_t count, uint64_t seed) {
  std::vector<int32_t> users = split.valid.user;
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  if (count < static_cast<int64_t>(users.size())) {
    Rng rng(derive_seed(seed, "eval.valid_users"));
    for (int64_t i = 0; i < count; ++i) {  // a partial Fisher-Yates shuffle
      const auto j = i + static_cast<int64_t>(uniform_index(
                             rng, static_cast<uint64_t>(users.size()) - static_cast<uint64_t>(i)));
      std::swap(users[static_cast<size_t>(i)], users[static_cast<size_t>(j)]);
    }
    users.resize(static_cast<size_t>(count));
    std::sort(users.begin(), users.end());
  }
  return users;
}

Split leave_one_out(const Interactions& data) {
  Split split = empty_split(data, "loo");
  for (int64_t u = 0; u < data.n_users; ++u) {
    const int64_t n = data.sequence_length(u);
    if (n < 3) {
      split.train_length[u] = n;
      continue;
    }
    split.train_length[u] = n - 2;
    add_target(split.valid, data, u, n - 2, n - 2);
    add_target(split.test, data, u, n - 1, n - 1);
  }
  return split;
}

Split ratio_split(const Interactions& data, double train, double valid) {
  SHIFTREC_ASSERT(train > 0 && valid > 0 && train + valid < 1, "ratio shares not validated");
  Split split = empty_split(data, "ratio");
  for (int64_t u = 0; u < data.n_users; ++u) {
    const int64_t n = data.sequence_length(u);
    if (n < 3) {
      split.train_length[u] = n;
      continue;
    }
    const auto share = [n](double s) { return static_cast<int64_t>(std::llround(s * n)); };
    const int64_t train_end = std::clamp<int64_t>(share(train), 1, n - 2);
    const int64_t valid_end = std::clamp<int64_t>(share(train + valid), train_end + 1, n - 1);
    add_block_targets(split, data, u, train_end, valid_end);
  }
  return split;
}

Split temporal_split(const Interactions& data, int64_t valid_cut, int64_t test_cut) {
  SHIFTREC_ASSERT(valid_cut <= test_cut, "temporal cuts out of order");
  Split split = empty_split(data, "temporal");
  split.valid_cut = valid_cut;
  split.test_cut = test_cut;
  for (int64_t u = 0; u < data.n_users; ++u) {
    const auto begin = data.time.begin() + data.user_offsets[u];
    const auto end = data.time.begin() + data.user_offsets[u + 1];
    const int64_t train_end = std::lower_bound(begin, end, valid_cut) - begin;
    const int64_t valid_end = std::lower_bound(begin, end, test_cut) - begin;
    add_block_targets(split, data, u, train_end, valid_end);
  }
  return split;
}

Split split_from_config(ConfigSection s, const Interactions& data) {
  const std::string protocol = s.get_string(
      "protocol", "loo",
      "loo (leave-one-out), ratio (per user), temporal (global cut times) or given (from the data)",
      {"loo", "ratio", "temporal", "given"});
  if (protocol == "loo") return leave_one_out(data);
  if (protocol == "given") {
    try {
      return given_split(data);
    } catch (const UserError& e) {
      s.fail("protocol", e.what());
    }
  }
  if (protocol == "ratio") {
    const double train = s.get_double("train", 0.8, 0.01, 0.98, "training share of each user");
    const double valid = s.get_double("valid", 0.1, 0.01, 0.98, "valid share of each user");
    if (train + valid >= 1.0) {
      s.fail("valid", "train + valid = " + std::to_string(train + valid) +
                          " leaves nothing for test: expected train + valid < 1");
    }
    return ratio_split(data, train, valid);
  }
  const double valid_quantile = s.get_double("valid_quantile", 0.8, 0.0, 1.0,
                                             "share of all interactions before the valid cut");
  const double test_quantile =
      s.get_double("test_quantile", 0.9, 0.0, 1.0, "share of all interactions before the test cut");
  int64_t valid_cut = s.get_int("valid_cut", 0, ConfigSection::kIntMin, ConfigSection::kIntMax,
                                "valid cut time (0 = from valid_quantile)");
  int64_t test_cut = s.get_int("test_cut", 0, ConfigSection::kIntMin, ConfigSection::kIntMax,
                               "test cut time (0 = from test_quantile)");
  if (valid_cut == 0) valid_cut = time_quantile(data, valid_quantile);
  if (test_cut == 0) test_cut = time_quantile(data, test_quantile);
  if (test_cut < valid_cut) {
    s.fail("test_cut", "test cut " + std::to_string(test_cut) + " is before the valid cut " +
                           std::to_string(valid_cut));
  }
  return temporal_split(data, valid_cut, test_cut);
}

Split given_split(const Interactions& data) {
  if (data.given_split.empty()) {
    throw UserError(
        "split protocol \"given\" needs a data source that comes with a split "
        "(e.g. lightgcn train/test files)");
  }
  Split split = empty_split(data, "given");
  for (int64_t u = 0; u < data.n_users; ++u) {
    const int64_t begin = data.user_offsets[u], n = data.sequence_length(u);
    int64_t train_end = 0;
    while (train_end < n && data.given_split[begin + train_end] == 0) ++train_end;
    int64_t valid_end = train_end;
    while (valid_end < n && data.given_split[begin + valid_end] == 1) ++valid_end;
    for (int64_t p = valid_end; p < n; ++p) {
      if (data.given_split[begin + p] != 2) {
        throw UserError("given split: user " + data.user_original_ids.name(u) +
                        " has training or valid interactions after its test ones");
      }
    }
    add_block_targets(split, data, u, train_end, valid_end);
  }
  return split;
}

int64_t time_quantile(const Interactions& data, double share) {
  SHIFTREC_ASSERT(!data.time.empty() && share >= 0 && share <= 1, "bad quantile");
  std::vector<int64_t> times = data.time;
  const size_t k =
      std::min(times.size() - 1, static_cast<size_t>(share * static_cast<double>(times.size())));
  std::nth_element(times.begin(), times.begin() + static_cast<int64_t>(k), times.end());
  return times[k];
}

}  // namespace shiftrec
