#include "eval/metric.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace shiftrec {
namespace {

TEST(Metrics, HandComputedTable) {
  // Ranks 1, 2, 3, 11 with k = 10:
  //   recall = 3/4; ndcg = (1 + 1/log2(3) + 1/2 + 0) / 4; mrr = (1 + 1/2 + 1/3 + 0) / 4.
  const std::vector<int64_t> ranks = {1, 2, 3, 11};
  const auto m = mean_metrics({"recall@10", "hit@10", "ndcg@10", "mrr@10", "ndcg@2"}, ranks);
  EXPECT_DOUBLE_EQ(m.at("recall@10"), 0.75);
  EXPECT_DOUBLE_EQ(m.at("hit@10"), 0.75);
  EXPECT_NEAR(m.at("ndcg@10"), (1.0 + 0.6309297535714575 + 0.5) / 4.0, 1e-12);
  EXPECT_NEAR(m.at("mrr@10"), (1.0 + 0.5 + 1.0 / 3.0) / 4.0, 1e-12);
  EXPECT_NEAR(m.at("ndcg@2"), (1.0 + 0.6309297535714575) / 4.0, 1e-12);
}

TEST(Metrics, KLargerThanCandidatesCountsEveryTarget) {
  // With 3 candidates every rank is <= 3, so recall@10 = 1 and ndcg@10 = mean 1/log2(r+1).
  const auto m = mean_metrics({"recall@10", "ndcg@10"}, {3, 3, 1});
  EXPECT_DOUBLE_EQ(m.at("recall@10"), 1.0);
  EXPECT_NEAR(m.at("ndcg@10"), (0.5 + 0.5 + 1.0) / 3.0, 1e-12);
}

TEST(Metrics, EmptyTargetsGiveZero) {
  EXPECT_DOUBLE_EQ(mean_metrics({"ndcg@10"}, {}).at("ndcg@10"), 0.0);
}

std::string error_of(const std::string& name) {
  try {
    make_metric(name);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Metrics, NameErrors) {
  EXPECT_EQ(error_of("ndgc@10").rfind("unknown metric \"ndgc\" (did you mean \"ndcg\"?)", 0), 0u);
  EXPECT_EQ(error_of("ndcg"), "metric \"ndcg\" needs a cut-off, e.g. \"ndcg@10\"");
  EXPECT_EQ(error_of("ndcg@0"), "metric \"ndcg@0\": cut-off \"0\" is not a positive integer");
  EXPECT_EQ(error_of("ndcg@1x"), "metric \"ndcg@1x\": cut-off \"1x\" is not a positive integer");
  EXPECT_EQ(make_metric("recall@20")->k(), 20);
}

}  // namespace
}  // namespace shiftrec
