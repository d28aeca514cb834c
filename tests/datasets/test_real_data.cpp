// Real-data checks (ctest label "realdata"): run when SHIFTREC_DATA points at the shared
// datasets (.ci/run sets it); skipped, saying so, on machines without them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "datasets/s3rec_reader.h"
#include "datasets/split.h"

namespace shiftrec {
namespace {

std::string data_root() {
  const char* root = std::getenv("SHIFTREC_DATA");
  return root == nullptr ? "" : root;
}

TEST(RealData, BeautyCountsMatchProvenance) {
  if (data_root().empty()) GTEST_SKIP() << "SHIFTREC_DATA is not set: no shared datasets here";
  const Interactions d = read_s3rec_sequences(data_root() + "/amazon-s3rec/Beauty.txt");
  // amazon-s3rec/PROVENANCE.md: Beauty 22,363 users, 12,101 items, 198,502 interactions,
  // sequence lengths 5..204.
  EXPECT_EQ(d.n_users, 22363);
  EXPECT_EQ(d.n_items, 12101);
  EXPECT_EQ(d.size(), 198502);
  int64_t shortest = d.size(), longest = 0;
  for (int64_t u = 0; u < d.n_users; ++u) {
    shortest = std::min(shortest, d.sequence_length(u));
    longest = std::max(longest, d.sequence_length(u));
  }
  EXPECT_EQ(shortest, 5);
  EXPECT_EQ(longest, 204);
  // Leave-one-out: every user has both targets, and they lie beyond the training prefix.
  const Split split = leave_one_out(d);
  EXPECT_EQ(split.test.size(), 22363);
  EXPECT_EQ(split.train_size(), 198502 - 2 * 22363);
  for (int64_t t = 0; t < split.test.size(); ++t) {
    EXPECT_GE(split.valid.position[t], split.train_length[split.valid.user[t]]);
  }
}

}  // namespace
}  // namespace shiftrec
