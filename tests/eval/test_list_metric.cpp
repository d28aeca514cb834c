#include "eval/list_metric.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/metric.h"

namespace shiftrec {
namespace {

// Two top-3 lists over 4 items: [0, 1, 2] and [0, 2, 3]; training counts 3, 1, 0, 0.
const std::vector<int32_t> kLists = {0, 1, 2, 0, 2, 3};
const std::vector<int64_t> kCounts = {3, 1, 0, 0};

double list_value(const std::string& name) {
  return make_list_metric(name)->value(kLists, 3, kCounts);
}

TEST(ListMetrics, HandComputedTable) {
  // Top-2 lists {0, 1} and {0, 2}.
  EXPECT_DOUBLE_EQ(list_value("coverage@2"), 3.0 / 4.0);
  // Exposure counts sorted [0, 1, 1, 2]: sum (2i - n - 1) c_i = -1 + 1 + 6 = 6; 6 / (4 * 4).
  EXPECT_DOUBLE_EQ(list_value("gini@2"), 0.375);
  // p = (count + 1) / (4 + 4): item 0 -> 1 bit, item 1 -> 2 bits, item 2 -> 3 bits.
  // Lists: (1 + 2) / 2 = 1.5 and (1 + 3) / 2 = 2 -> 1.75.
  EXPECT_DOUBLE_EQ(list_value("novelty@2"), 1.75);
  // Mean training counts: (3 + 1) / 2 = 2 and (3 + 0) / 2 = 1.5 -> 1.75.
  EXPECT_DOUBLE_EQ(list_value("avgpop@2"), 1.75);
  // k beyond the lists' width uses what the lists hold: all 4 items.
  EXPECT_DOUBLE_EQ(list_value("coverage@5"), 1.0);
  // Every item shown equally often -> Gini 0.
  EXPECT_DOUBLE_EQ(make_list_metric("gini@1")->value({0, 1, 2, 3}, 1, kCounts), 0.0);
}

TEST(ListMetrics, NamesAndRankMetricsPrecisionMap) {
  EXPECT_TRUE(is_list_metric("coverage@10"));
  EXPECT_FALSE(is_list_metric("ndcg@10"));
  EXPECT_THROW(make_list_metric("coverage"), UserError);
  // Ranks 1 and 11 at k = 10: precision (1/10 + 0) / 2, map (one target: 1/rank) (1 + 0) / 2.
  const auto m = mean_metrics({"precision@10", "map@10"}, {1, 11});
  EXPECT_DOUBLE_EQ(m.at("precision@10"), 0.05);
  EXPECT_DOUBLE_EQ(m.at("map@10"), 0.5);
}

}  // namespace
}  // namespace shiftrec
