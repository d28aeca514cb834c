// Batches of (user, item) training pairs for general-CF models (LightGCN, NGCF), which learn
// from who interacted with what rather than from the order.
//
// The pairs are the distinct (user, item) pairs of the training prefixes (valid and test
// items never appear). Each epoch shuffles them (seeded) and cuts batches of batch_size.
#pragma once

#include <cstdint>
#include <vector>

#include "core/seed.h"

namespace shiftrec {

struct Split;

struct PairBatch {
  std::vector<int64_t> users;  // [B]
  std::vector<int64_t> items;  // [B]
};

class PairBatcher {
 public:
  PairBatcher(const Split& split, int64_t batch_size);
  std::vector<PairBatch> epoch(Rng& rng) const;
  int64_t n_pairs() const { return static_cast<int64_t>(users_.size()); }

 private:
  int64_t batch_size_;
  std::vector<int32_t> users_;
  std::vector<int32_t> items_;
};

}  // namespace shiftrec
