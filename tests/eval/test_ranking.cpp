#include "eval/ranking.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "core/error.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"

namespace shiftrec {
namespace {

TEST(Ranking, PessimisticTies) {
  auto scores = at::tensor({0.5f, 0.9f, 0.5f, 0.1f, /**/ 1.0f, 1.0f, 1.0f, 1.0f}).view({2, 4});
  auto ranks = pessimistic_ranks(scores, at::tensor({0, 3}, at::kLong));
  // Row 0: target 0.5 ties with item 2 and is below item 1 -> rank 3.
  // Row 1: a constant scorer ranks the target last -> rank 4 (= n_items), never 1.
  EXPECT_EQ(ranks[0].item<int64_t>(), 3);
  EXPECT_EQ(ranks[1].item<int64_t>(), 4);
}

// Two users over 5 items. The scorer gives item i the score (last history token) * i mod 5,
// so ranks can be worked out by hand from the history it must receive.
Split two_users() {
  Split s;
  s.protocol = "loo";
  s.n_users = 2;
  s.n_items = 5;
  s.offsets = {0, 4, 7};
  s.items = {0, 1, 2, 3, /**/ 4, 4, 1};
  s.train_length = {2, 1};
  s.test.user = {0, 1};
  s.test.position = {3, 2};
  s.test.item = {3, 1};
  s.test.history_length = {3, 2};
  return s;
}

TEST(Ranking, RanksTargetsFromTheRightHistoriesInBatches) {
  const Split s = two_users();
  std::vector<int64_t> last_tokens;
  const Scorer scorer = [&](const at::Tensor& histories, const at::Tensor& /*users*/,
                            const at::Tensor& /*gaps*/) {
    auto last = histories.select(1, -1);
    for (int64_t r = 0; r < last.size(0); ++r) last_tokens.push_back(last[r].item<int64_t>());
    // score[b, i] = ((last token) * i) mod 5
    auto items = at::arange(5, at::kLong).unsqueeze(0);
    return (last.unsqueeze(1) * items).remainder(5).to(at::kFloat);
  };
  RankingOptions options;
  options.batch_size = 1;  // one user per batch: exercises the batching
  options.max_length = 2;
  options.top_k = 2;
  const RankingResult result = rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
  // User 0's test history is items 0 1 2 -> last token 3; user 1's is 4 4 -> last token 5.
  EXPECT_EQ(last_tokens, (std::vector<int64_t>{3, 5}));
  // User 0: scores (3*i mod 5) = [0, 3, 1, 4, 2]; target item 3 scores 4 -> rank 1.
  // User 1: scores (5*i mod 5) = all 0; target ties with everything -> rank 5.
  EXPECT_EQ(result.ranks, (std::vector<int64_t>{1, 5}));
  ASSERT_EQ(result.top_k_width, 2);
  EXPECT_EQ(result.top_k[0], 3);
  EXPECT_EQ(result.top_k[1], 1);
}

TEST(Ranking, ScorerReadsTheGapFromTheLastHistoryItemToTheRequest) {
  Split s = two_users();
  std::vector<at::Tensor> seen;
  const Scorer scorer = [&](const at::Tensor& histories, const at::Tensor& /*users*/,
                            const at::Tensor& gaps) {
    seen.push_back(gaps);
    return at::zeros({histories.size(0), 5});
  };
  RankingOptions options;
  options.max_length = 2;
  rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].defined());  // no timestamps: no gaps
  s.times = {0, 10, 30, 100, /**/ 5, 6, 1000};
  seen.clear();
  rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
  ASSERT_EQ(seen.size(), 1u);
  // User 0 sees items at times 10, 30 and is asked at 100; user 1 sees 5, 6, asked at 1000.
  const auto expected =
      at::tensor({gap_bucket(20), gap_bucket(70), gap_bucket(1), gap_bucket(994)}, at::kLong)
          .view({2, 2});
  EXPECT_TRUE(at::equal(seen[0], expected));
}

TEST(Ranking, SampledProtocolRanksOnlyAgainstTheGivenNegatives) {
  const Split s = two_users();
  // Fixed scores per item for everyone: item i scores i.
  const Scorer scorer = [](const at::Tensor& histories, const at::Tensor& /*users*/,
                           const at::Tensor& /*gaps*/) {
    return at::arange(5, at::kFloat).unsqueeze(0).expand({histories.size(0), 5}).contiguous();
  };
  // User 0 (target 3) against items {4, 0}: only item 4 beats it -> rank 2.
  // User 1 (target 1) against items {0, 2}: item 2 beats it -> rank 2 (full ranking: 4).
  const std::vector<int32_t> negatives = {4, 0, 0, 2};
  RankingOptions options;
  options.negatives = &negatives;
  options.n_negatives = 2;
  const RankingResult result = rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
  EXPECT_EQ(result.ranks, (std::vector<int64_t>{2, 2}));
}

TEST(Ranking, MaskingHistoryRemovesOnlyTheHistorysItems) {
  const Split s = two_users();
  // Item i scores -i for everyone: lower ids rank higher.
  const Scorer scorer = [](const at::Tensor& histories, const at::Tensor& /*users*/,
                           const at::Tensor& /*gaps*/) {
    return at::arange(5, at::kFloat).neg().unsqueeze(0).expand({histories.size(0), 5}).contiguous();
  };
  RankingOptions options;
  // User 0: target 3 below items 0, 1, 2 -> rank 4; user 1: target 1 below item 0 -> rank 2.
  EXPECT_EQ(rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU)).ranks,
            (std::vector<int64_t>{4, 2}));
  // Masked: user 0's history (0 1 2) drops out -> rank 1; user 1's history (4 4) was below
  // the target anyway -> still rank 2.
  options.mask_history = true;
  EXPECT_EQ(rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU)).ranks,
            (std::vector<int64_t>{1, 2}));
}

TEST(Ranking, SeveralTargetsOfOneHistoryAreScoredOnceAndRankedAmongAllItems) {
  // A given-style split: user 0 has three test items after a 2-item training prefix, user 1
  // one. Item i scores i for everyone.
  Split s;
  s.protocol = "given";
  s.n_users = 2;
  s.n_items = 5;
  s.offsets = {0, 5, 7};
  s.items = {0, 1, /**/ 4, 2, 3, /**/ 0, /**/ 1};
  s.train_length = {2, 1};
  s.test.user = {0, 0, 0, 1};
  s.test.position = {2, 3, 4, 1};
  s.test.item = {4, 2, 3, 1};
  s.test.history_length = {2, 2, 2, 1};
  EXPECT_EQ(s.test.query_offsets(), (std::vector<int64_t>{0, 3, 4}));
  int64_t rows_scored = 0;
  const Scorer scorer = [&](const at::Tensor& histories, const at::Tensor& /*users*/,
                            const at::Tensor& /*gaps*/) {
    rows_scored += histories.size(0);
    return at::arange(5, at::kFloat).unsqueeze(0).expand({histories.size(0), 5}).contiguous();
  };
  for (int64_t batch : {1, 2, 8}) {
    rows_scored = 0;
    RankingOptions options;
    options.batch_size = batch;
    options.top_k = 2;
    const RankingResult result = rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
    // Each target's rank counts the other targets above it: 4 -> 1, 2 -> 3, 3 -> 2; 1 -> 4.
    EXPECT_EQ(result.ranks, (std::vector<int64_t>{1, 3, 2, 4})) << "batch " << batch;
    EXPECT_EQ(rows_scored, 2) << "one history per user, whatever its number of targets";
    EXPECT_EQ(result.top_k, (std::vector<int32_t>{4, 3, 4, 3, 4, 3, 4, 3}));
  }
  // Masking user 0's training items (0, 1) moves only user 1's target (item 1, history {0}).
  RankingOptions masked;
  masked.mask_history = true;
  EXPECT_EQ(rank_targets(s, s.test, scorer, masked, c10::Device(c10::kCPU)).ranks,
            (std::vector<int64_t>{1, 3, 2, 4}));
}

// The CPU's one-pass ranks and top-k equal the tensor operations other devices use, with
// many ties, several targets per history and masking.
TEST(Ranking, FusedCpuPathEqualsTheTensorPath) {
  Split s;
  s.protocol = "given";
  s.n_users = 30;
  s.n_items = 40;
  s.offsets.push_back(0);
  for (int32_t u = 0; u < s.n_users; ++u) {
    const int32_t length = 4 + u % 5;
    for (int32_t i = 0; i < length; ++i) s.items.push_back((u * 7 + i * 3) % s.n_items);
    s.offsets.push_back(static_cast<int64_t>(s.items.size()));
    s.train_length.push_back(2);
    for (int32_t p = 2; p < length; ++p) {
      s.test.user.push_back(u);
      s.test.position.push_back(p);
      s.test.item.push_back(s.items[s.offsets[u] + p]);
      s.test.history_length.push_back(2);
    }
  }
  const Scorer scorer = [&](const at::Tensor& histories, const at::Tensor& /*users*/,
                            const at::Tensor& /*gaps*/) {
    // Few distinct values: ties everywhere.
    auto items = at::arange(s.n_items, at::kLong).unsqueeze(0);
    return (histories.select(1, -1).unsqueeze(1) * items).remainder(4).to(at::kFloat);
  };
  for (bool mask : {false, true}) {
    RankingOptions options;
    options.batch_size = 7;
    options.top_k = 5;
    options.mask_history = mask;
    const RankingResult fused = rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
    options.fused_cpu = false;
    const RankingResult reference =
        rank_targets(s, s.test, scorer, options, c10::Device(c10::kCPU));
    EXPECT_EQ(fused.ranks, reference.ranks) << "mask " << mask;
    ASSERT_EQ(fused.top_k.size(), reference.top_k.size());
    // Tie order inside a list may differ; the scores down each list may not.
    for (int64_t t = 0; t < s.test.size(); ++t) {
      const auto histories =
          at::tensor({static_cast<int64_t>(s.items[s.offsets[s.test.user[t]] + 1] + 1)}, at::kLong)
              .view({1, 1});
      auto row = scorer(histories, at::Tensor(), at::Tensor())[0];
      for (int64_t j = 0; j < 5; ++j) {
        const int32_t a = fused.top_k[t * 5 + j], b = reference.top_k[t * 5 + j];
        if (!mask) EXPECT_EQ(row[a].item<float>(), row[b].item<float>()) << t << " " << j;
        if (j > 0) EXPECT_LE(row[a].item<float>(), row[fused.top_k[t * 5 + j - 1]].item<float>());
      }
    }
  }
}

TEST(Ranking, NanScoresAreAnError) {
  const Split s = two_users();
  const Scorer scorer = [](const at::Tensor& histories, const at::Tensor& /*users*/,
                           const at::Tensor& /*gaps*/) {
    return at::full({histories.size(0), 5}, std::nanf(""));
  };
  EXPECT_THROW(rank_targets(s, s.test, scorer, RankingOptions{}, c10::Device(c10::kCPU)),
               UserError);
}

}  // namespace
}  // namespace shiftrec
