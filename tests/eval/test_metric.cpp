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

TEST(Metrics, SeveralTargetsPerUserAverageOverUsers) {
  // User A: targets ranked 1, 4, 30 (stored unsorted); user B: one target ranked 2. k = 10.
  // A: hits 2 of 3 -> recall 2/3, hit 1, precision 2/10;
  //    ndcg = (1/log2(2) + 1/log2(5)) / (1/log2(2) + 1/log2(3) + 1/log2(4));
  //    mrr = 1/1; map = (1/1 + 2/4) / min(10, 3).
  // B: recall 1, hit 1, ndcg 1/log2(3), mrr 1/2, precision 1/10, map 1/2.
  const std::vector<int64_t> ranks = {30, 1, 4, 2};
  const std::vector<int64_t> queries = {0, 3, 4};
  const auto m = mean_metrics(
      {"recall@10", "hit@10", "ndcg@10", "mrr@10", "precision@10", "map@10"}, ranks, queries);
  const double ndcg_a = (1.0 + 1.0 / std::log2(5.0)) / (1.0 + 1.0 / std::log2(3.0) + 0.5);
  EXPECT_NEAR(m.at("recall@10"), (2.0 / 3.0 + 1.0) / 2.0, 1e-12);
  EXPECT_NEAR(m.at("hit@10"), 1.0, 1e-12);
  EXPECT_NEAR(m.at("ndcg@10"), (ndcg_a + 1.0 / std::log2(3.0)) / 2.0, 1e-12);
  EXPECT_NEAR(m.at("mrr@10"), (1.0 + 0.5) / 2.0, 1e-12);
  EXPECT_NEAR(m.at("precision@10"), (0.2 + 0.1) / 2.0, 1e-12);
  EXPECT_NEAR(m.at("map@10"), (1.5 / 3.0 + 0.5) / 2.0, 1e-12);
  // The ideal DCG is cut at k: with k = 2 and three targets ranked 1, 2, 3, ndcg@2 = 1.
  EXPECT_NEAR(mean_metrics({"ndcg@2"}, {3, 1, 2}, {0, 3}).at("ndcg@2"), 1.0, 1e-12);
  // Per-user values, not per target: user A's 3 targets weigh as much as user B's one.
  EXPECT_EQ(query_values(*make_metric("recall@10"), ranks, queries).size(), 2u);
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
  // One namespace over rank and list metrics: the nearest name may be of either family.
  EXPECT_EQ(
      error_of("covrage@10").rfind("unknown metric \"covrage\" (did you mean \"coverage\"?)", 0),
      0u);
  EXPECT_NE(error_of("ndgc@10").find("known: avgpop, coverage, gini, hit, map"), std::string::npos);
  EXPECT_EQ(error_of("coverage@10"),
            "\"coverage@10\" is a list metric, not a per-target rank metric");
  EXPECT_EQ(error_of("ndcg"), "metric \"ndcg\" needs a positive cut-off, e.g. \"ndcg@10\"");
  EXPECT_EQ(error_of("ndcg@0"), "metric \"ndcg@0\" needs a positive cut-off, e.g. \"ndcg@10\"");
  EXPECT_EQ(error_of("ndcg@1x"), "metric \"ndcg@1x\" needs a positive cut-off, e.g. \"ndcg@10\"");
  EXPECT_EQ(make_metric("recall@20")->k(), 20);
}

}  // namespace
}  // namespace shiftrec
