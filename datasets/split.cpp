#include "datasets/split.h"

#include "core/error.h"

namespace shiftrec {

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

Split leave_one_out(const Interactions& data) {
  Split split;
  split.protocol = "loo";
  split.n_users = data.n_users;
  split.n_items = data.n_items;
  split.offsets = data.user_offsets;
  split.items = data.item;
  split.train_length.resize(data.n_users);
  for (int64_t u = 0; u < data.n_users; ++u) {
    const int64_t n = data.sequence_length(u);
    if (n < 3) {
      split.train_length[u] = n;
      continue;
    }
    split.train_length[u] = n - 2;
    const int64_t begin = data.user_offsets[u];
    split.valid.user.push_back(static_cast<int32_t>(u));
    split.valid.position.push_back(static_cast<int32_t>(n - 2));
    split.valid.item.push_back(data.item[begin + n - 2]);
    split.test.user.push_back(static_cast<int32_t>(u));
    split.test.position.push_back(static_cast<int32_t>(n - 1));
    split.test.item.push_back(data.item[begin + n - 1]);
  }
  return split;
}

}  // namespace shiftrec
