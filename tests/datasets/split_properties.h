// Properties every split must have, checked on synthetic and real data alike.
#pragma once

#include <gtest/gtest.h>

#include "datasets/interactions.h"
#include "datasets/split.h"

namespace shiftrec::testing {

inline void expect_no_leakage(const Split& split, const Interactions& data) {
  SCOPED_TRACE("protocol " + split.protocol);
  int64_t targets_total = 0;
  for (const EvalTargets* targets : {&split.valid, &split.test}) {
    targets_total += targets->size();
    for (int64_t t = 0; t < targets->size(); ++t) {
      const int32_t u = targets->user[t];
      // The target lies beyond the training prefix, the model sees only items before it,
      // and it is the row it claims to be.
      ASSERT_GE(targets->position[t], split.train_length[u]);
      ASSERT_LE(targets->history_length[t], targets->position[t]);
      ASSERT_GE(targets->history_length[t], split.train_length[u]);
      ASSERT_EQ(split.items[split.offsets[u] + targets->position[t]], targets->item[t]);
    }
  }
  // Every interaction is training data or exactly one target.
  EXPECT_EQ(split.train_size() + targets_total, data.size());
  if (split.protocol == "temporal") {
    for (int64_t u = 0; u < data.n_users; ++u) {
      for (int64_t p = 0; p < data.sequence_length(u); ++p) {
        const int64_t time = data.time[data.user_offsets[u] + p];
        if (p < split.train_length[u]) {
          ASSERT_LT(time, split.valid_cut) << "training interaction at or after the cut";
        } else {
          ASSERT_GE(time, split.valid_cut);
        }
      }
    }
    for (int64_t t = 0; t < split.valid.size(); ++t) {
      const int64_t row = data.user_offsets[split.valid.user[t]] + split.valid.position[t];
      ASSERT_LT(data.time[row], split.test_cut);
    }
    for (int64_t t = 0; t < split.test.size(); ++t) {
      const int64_t row = data.user_offsets[split.test.user[t]] + split.test.position[t];
      ASSERT_GE(data.time[row], split.test_cut);
    }
  }
}

}  // namespace shiftrec::testing
