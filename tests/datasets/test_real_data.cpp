// Real-data checks (ctest label "realdata"): every ready config in experiments/configs loads
// its shared dataset with the counts its PROVENANCE.md states, and the split leaks nothing.
// They run when SHIFTREC_DATA points at the shared datasets (.ci/run sets it) and skip,
// saying so, on machines without them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

#include "core/config.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "tests/datasets/split_properties.h"

namespace shiftrec {
namespace {

struct Expected {
  std::string config;
  int64_t users, items, interactions, categories;
  int64_t given_train = 0;  // training interactions of a split that comes with the data
};

// Names the case by its config in test listings (instead of a byte dump).
void PrintTo(const Expected& e, std::ostream* os) { *os << e.config; }

class RealData : public ::testing::TestWithParam<Expected> {};

TEST_P(RealData, CountsMatchProvenanceAndSplitLeaksNothing) {
  if (std::getenv("SHIFTREC_DATA") == nullptr) {
    GTEST_SKIP() << "SHIFTREC_DATA is not set: no shared datasets here";
  }
  const Expected& e = GetParam();
  Config config =
      Config::from_file(std::string(SHIFTREC_SOURCE_DIR) + "/experiments/configs/" + e.config);
  const Dataset dataset = load_dataset(config.section("data"));
  const Interactions& d = dataset.interactions;
  EXPECT_EQ(d.n_users, e.users);
  EXPECT_EQ(d.n_items, e.items);
  EXPECT_EQ(d.size(), e.interactions);
  EXPECT_EQ(d.n_categories, e.categories);
  for (const Split& split : {leave_one_out(d), ratio_split(d, 0.8, 0.1),
                             temporal_split(d, time_quantile(d, 0.8), time_quantile(d, 0.9))}) {
    testing::expect_no_leakage(split, d);
  }
  if (!d.given_split.empty()) {
    const Split given = given_split(d);
    EXPECT_EQ(given.train_size(), e.given_train);
    EXPECT_EQ(given.test.size(), d.size() - e.given_train);
    testing::expect_no_leakage(given, d);
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedDatasets, RealData,
    ::testing::Values(
        // amazon-s3rec/PROVENANCE.md: users / items / interactions / distinct attributes.
        Expected{"beauty_sasrec.toml", 22363, 12101, 198502, 637},
        Expected{"beauty_bert4rec.toml", 22363, 12101, 198502, 637},
        Expected{"yelp_sasrec.toml", 30431, 20033, 316354, 1001},
        Expected{"lastfm_sasrec.toml", 1090, 3646, 52551, 388},
        // ml-1m-pos4/PROVENANCE.md (18 genres); ml-100k (19 genres incl. "unknown").
        Expected{"ml1m_pos4_sasrec.toml", 6038, 3533, 575281, 18},
        Expected{"ml100k_sasrec.toml", 943, 1682, 100000, 19},
        // taobao-userbehavior-sample/PROVENANCE.md: 567 category ids.
        Expected{"taobao_sample_sasrec.toml", 43, 3276, 4321, 567},
        // bert4rec-beauty/PROVENANCE.md: no categories.
        Expected{"bert4rec_beauty_sasrec.toml", 40226, 54542, 353962, 0},
        Expected{"bert4rec_beauty_bert4rec.toml", 40226, 54542, 353962, 0},
        // gowalla-lightgcn/PROVENANCE.md: 810,128 train + 217,242 test interactions.
        Expected{"gowalla_popularity.toml", 29858, 40981, 1027370, 0, 810128},
        Expected{"gowalla_lightgcn.toml", 29858, 40981, 1027370, 0, 810128}),
    [](const ::testing::TestParamInfo<Expected>& info) {
      std::string name = info.param.config.substr(0, info.param.config.find('.'));
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace shiftrec
