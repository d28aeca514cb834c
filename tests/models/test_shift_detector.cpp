#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "datasets/interactions.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"
#include "models/shift_detector.h"
#include "models/shift_head.h"
#include "models/shift_position_labels.h"
#include "tests/datasets/hand_labelled.h"

namespace shiftrec {
namespace {

at::Tensor hand_table() {
  return item_category_table(testing::hand_labelled(), 0, kTrainingCommonCategoryShare);
}

TEST(ShiftDetector, FeaturesMarkEachItemNovelSameOrOther) {
  // Tokens are items + 1. i0 {A}, i1 {B}, i2 {C}, i3 {A, C}, i4 {ROOT only: no category}.
  // Row 0: pad i0 i1 i2 i1 i0 i4. Row 1: pad pad pad i0 i1 i3 i2.
  const auto histories =
      at::tensor({0, 1, 2, 3, 2, 1, 5, /**/ 0, 0, 0, 1, 2, 4, 3}, at::kLong).view({2, 7});
  const auto features = shift_detector_features(hand_table(), histories);
  // [novel, same, other] by hand: i3 is not novel (A was seen) and i2 after i3 shares C.
  const auto expected =
      at::tensor({0,      0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1,
                  /**/ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0},
                 at::kFloat)
          .view({2, 7, 3});
  EXPECT_TRUE(at::equal(features, expected)) << features;
}

TEST(ShiftDetector, RecencySplitsOtherItemsByHowFarBackTheirCategoryWasShown) {
  // i0 {A}, i1 {B}, i2 {C}, i3 {A, C}, i4 {no category}; tokens are items + 1.
  // Row 0: pad i0 i1 i0 i2 i2 i1 i4 i0 i1 i1 i3. Row 1: pad i2, then i0 nine times, i2.
  const auto histories = at::tensor({0,      1, 2, 1, 3, 3, 2, 5, 1, 2, 2, 4,
                                     /**/ 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3},
                                    at::kLong)
                             .view({2, 12});
  const auto features = shift_detector_features(hand_table(), histories);
  const auto recency = shift_detector_recency(hand_table(), histories, features);
  // Buckets [2, 3-4, 5-8, 9+ or never], by hand. Row 0: column 3's A was shown 2 back;
  // column 6's B 4 back (column 2); i4 has no category: never; column 8's A 5 back (column
  // 3); column 9's B 3 back (column 6); column 11's i3: A 3 back (column 8) is nearer than
  // C 6 back (column 5). Columns 1, 2, 4 are novel, 5 and 10 the same as the one before.
  // Row 1: the last i2's C was shown 10 back.
  auto expected = at::zeros({2, 12, 4});
  expected[0][3][0] = 1;
  expected[0][6][1] = 1;
  expected[0][7][3] = 1;
  expected[0][8][2] = 1;
  expected[0][9][1] = 1;
  expected[0][11][1] = 1;
  expected[1][11][3] = 1;
  EXPECT_TRUE(at::equal(recency, expected)) << recency;
  // The buckets split exactly the "other" one-hot.
  EXPECT_TRUE(at::equal(recency.sum(-1), features.select(-1, 2)));
}

TEST(ShiftDetector, ReadsNoPaddingAndNoLaterColumn) {
  at::manual_seed(3);
  ShiftDetector detector(/*reads_gaps=*/true);
  const auto table = hand_table();
  torch::NoGradGuard no_grad;
  const auto run = [&](const at::Tensor& histories, const at::Tensor& gaps) {
    return detector->forward(shift_detector_features(table, histories), histories, gaps);
  };
  const auto narrow = at::tensor({1, 2, 4, 3}, at::kLong).view({1, 4});
  const auto wide = at::tensor({0, 0, 0, 1, 2, 4, 3}, at::kLong).view({1, 7});
  const auto narrow_gaps = at::tensor({3, 9, 2, 12}, at::kLong).view({1, 4});
  const auto wide_gaps = at::tensor({0, 0, 0, 3, 9, 2, 12}, at::kLong).view({1, 7});
  const auto a = run(narrow, narrow_gaps), b = run(wide, wide_gaps);
  EXPECT_TRUE(at::allclose(a, b.narrow(1, 3, 4), 1e-5, 1e-6)) << a << b;
  // Changing the last column (item and gap) leaves the earlier columns' logits alone.
  const auto changed = at::tensor({1, 2, 4, 5}, at::kLong).view({1, 4});
  const auto changed_gaps = at::tensor({3, 9, 2, 40}, at::kLong).view({1, 4});
  const auto c = run(changed, changed_gaps);
  EXPECT_TRUE(at::allclose(a.narrow(1, 0, 3), c.narrow(1, 0, 3)));
  EXPECT_FALSE(at::allclose(a.narrow(1, 3, 1), c.narrow(1, 3, 1)));
}

// 60 users, item i in category i (30 of each): four runs of one item each, 1 s apart within
// a run, 1000 s before each new run — every SHIFT follows a long gap, no other target does.
Interactions runs_after_long_gaps() {
  Interactions d;
  d.n_users = 60;
  d.n_items = 30;
  d.n_categories = 30;
  for (int32_t u = 0; u < 60; ++u) {
    int64_t time = 0;
    for (int32_t run = 0; run < 4; ++run) {
      for (int32_t k = 0; k < 4; ++k) {
        time += k == 0 ? 1000 : 1;
        d.user.push_back(u);
        d.item.push_back((u + 7 * run) % 30);
        d.time.push_back(time);
      }
    }
  }
  d.user_original_ids = OriginalIds::sequence(60);
  d.item_original_ids = OriginalIds::sequence(30);
  for (int32_t i = 0; i <= 30; ++i) d.category_offsets.push_back(i);
  for (int32_t i = 0; i < 30; ++i) d.category_ids.push_back(i);
  d.sort_and_index();
  d.validate();
  return d;
}

TEST(ShiftDetector, FitLearnsThatShiftsFollowLongGaps) {
  const Interactions d = runs_after_long_gaps();
  const Split split = leave_one_out(d);
  const auto table = item_category_table(d, 0, kTrainingCommonCategoryShare);
  at::manual_seed(1);
  ShiftDetector detector(/*reads_gaps=*/true);
  ShiftDetectorFit fit;
  fit.epochs = 150;
  const double loss = fit_shift_detector(*detector, table, split, 20, fit);
  EXPECT_LT(loss, 0.05);  // a constant guess at the 3-in-14 shift rate costs about 0.52
  // A run of item 5 so far; the next interaction after 1 s, or after 1000 s.
  torch::NoGradGuard no_grad;
  const auto histories = at::tensor({6, 6, 6}, at::kLong).view({1, 3});
  const auto features = shift_detector_features(table, histories);
  const auto p = [&](int64_t gap) {
    const auto gaps = at::tensor({gap_bucket(1), gap_bucket(1), gap_bucket(gap)}, at::kLong);
    return at::sigmoid(detector->forward(features, histories, gaps.view({1, 3})))[0][2]
        .item<double>();
  };
  EXPECT_GT(p(1000), 0.9);
  EXPECT_LT(p(1), 0.1);
}

TEST(ShiftDetector, TheHeadFitsItsDetectorOnceAndSavesThatItDid) {
  const Interactions d = runs_after_long_gaps();
  const Split split = leave_one_out(d);
  at::manual_seed(2);
  ShiftHead head(4, d, /*move_head=*/false, /*reads_gaps=*/true, 0, kTrainingCommonCategoryShare,
                 /*recurrent_detector=*/true);
  ASSERT_TRUE(head->has_detector());
  auto buffers = head->named_buffers();
  ASSERT_TRUE(buffers.contains("detector_fitted"));  // saved with the checkpoint
  EXPECT_EQ(buffers["detector_fitted"].item<float>(), 0.0f);
  const auto weight = head->named_parameters()["detector.out.weight"];
  const auto before = weight.clone();
  head->fit_detector(split, 20);
  EXPECT_EQ(buffers["detector_fitted"].item<float>(), 1.0f);
  EXPECT_FALSE(at::equal(before, weight));
  const auto fitted = weight.clone();
  head->fit_detector(split, 20);  // a loaded or fitted model keeps its detector
  EXPECT_TRUE(at::equal(fitted, weight));
  // The head's logit is its linear read plus the detector's.
  const auto histories = at::tensor({0, 6, 6, 6}, at::kLong).view({1, 4});
  const auto gaps = at::tensor({0, 1, 2, 18}, at::kLong).view({1, 4});
  const auto states = at::randn({1, 4, 4});
  torch::NoGradGuard no_grad;
  const auto detector = head->history_logits(histories, gaps);
  const auto with = head->logits(states, gaps, detector);
  const auto without = head->logits(states, gaps, at::zeros_like(detector));
  EXPECT_TRUE(at::allclose(with - without, detector, 1e-5, 1e-6));
}

TEST(ShiftDetector, GraphUnseenMassByHand) {
  // Graph over A, B, C, ROOT (rows = from): A -> B .5, C .5; B -> A .2, C .8; C -> A 1.
  const auto graph =
      at::tensor({0.0, 0.5, 0.5, 0.0, 0.2, 0.0, 0.8, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
                 at::kFloat)
          .view({4, 4});
  // Row 0: pad i0 {A} i1 {B} i2 {C}. Row 1: pad pad i3 {A, C} i1 {B}.
  const auto histories = at::tensor({0, 1, 2, 3, /**/ 0, 0, 4, 2}, at::kLong).view({2, 4});
  // Window 2. Row 0: after i0 the recent {A} reach B .5 + C .5, both unseen: 1; after i1 the
  // recent {A, B} reach A .1, B .25, C .65, and only C is unseen: .65; after i2 nothing is
  // unseen: 0. Row 1: after i3 the recent {A, C} reach A .5, B .25, C .25, B unseen: .25;
  // after i1 every category is seen: 0.
  const auto two = shift_graph_unseen_mass(hand_table(), histories, graph, 2);
  const auto expected = at::tensor({0.0, 1.0, 0.65, 0.0, /**/ 0.0, 0.0, 0.25, 0.0}, at::kFloat);
  EXPECT_TRUE(at::allclose(two, expected.view({2, 4}), 1e-6, 1e-6)) << two;
  // Window 1: after i1 only {B} is recent, reaching C .8.
  const auto one = shift_graph_unseen_mass(hand_table(), histories, graph, 1);
  EXPECT_NEAR(one[0][2].item<double>(), 0.8, 1e-6);
  EXPECT_NEAR(one[0][1].item<double>(), 1.0, 1e-6);
}

TEST(ShiftDetector, AGraphReadingDetectorReadsTheHeadsFittedGraph) {
  const Interactions d = runs_after_long_gaps();
  const Split split = leave_one_out(d);
  at::manual_seed(4);
  ShiftHead head(4, d, /*move_head=*/false, /*reads_gaps=*/true, 0, kTrainingCommonCategoryShare,
                 /*recurrent_detector=*/true, ShiftDetectorReads{/*graph=*/true});
  // GRU inputs: novelty one-hots (3), the graph's unseen mass (1), the gap embedding (4).
  const auto w = head->named_parameters()["detector.gru.weight_ih_l0"];
  EXPECT_EQ(w.size(1), ShiftDetectorImpl::kFeatures + 1 + ShiftDetectorImpl::kGapWidth);
  head->fit_shift_graph(split, d, /*window=*/5);
  head->fit_detector(split, 20);
  torch::NoGradGuard no_grad;
  const auto histories = at::tensor({0, 6, 6, 13}, at::kLong).view({1, 4});
  const auto gaps = at::tensor({0, 1, 18, 1}, at::kLong).view({1, 4});
  const auto logits = head->history_logits(histories, gaps);
  // The same detector with the graph's column zeroed answers otherwise: the column is read,
  // and it holds the fitted graph's mass (after the run of item 5 the graph sends category 5
  // on to category 12, unseen until the last column).
  auto detector = std::dynamic_pointer_cast<ShiftDetectorImpl>(head->named_children()["detector"]);
  ASSERT_TRUE(detector != nullptr);
  const auto table = item_category_table(d, 0, kTrainingCommonCategoryShare);
  const auto inputs =
      at::cat({shift_detector_features(table, histories), at::zeros({1, 4, 1})}, -1);
  const auto blind = detector->forward(inputs, histories, gaps);
  EXPECT_FALSE(at::allclose(logits.narrow(1, 1, 2), blind.narrow(1, 1, 2))) << logits << blind;
  EXPECT_TRUE(at::allclose(logits.narrow(1, 0, 1), blind.narrow(1, 0, 1)));  // padding: mass 0
}

TEST(ShiftDetector, ARecencyReadingDetectorReadsItsBuckets) {
  const Interactions d = runs_after_long_gaps();
  at::manual_seed(4);
  ShiftHead head(4, d, /*move_head=*/false, /*reads_gaps=*/true, 0, kTrainingCommonCategoryShare,
                 /*recurrent_detector=*/true,
                 ShiftDetectorReads{/*graph=*/false,
                                    /*recency=*/true});
  // GRU inputs: novelty one-hots (3), recency one-hots (4), the gap embedding (4).
  const auto w = head->named_parameters()["detector.gru.weight_ih_l0"];
  EXPECT_EQ(w.size(1), ShiftDetectorImpl::kFeatures + ShiftDetectorImpl::kRecencyBuckets +
                           ShiftDetectorImpl::kGapWidth);
  torch::NoGradGuard no_grad;
  // Item 6 shown, then item 13, then item 6 again two columns later: an "other" item two back.
  const auto histories = at::tensor({0, 6, 13, 6}, at::kLong).view({1, 4});
  const auto gaps = at::tensor({0, 1, 1, 1}, at::kLong).view({1, 4});
  const auto logits = head->history_logits(histories, gaps);
  auto detector = std::dynamic_pointer_cast<ShiftDetectorImpl>(head->named_children()["detector"]);
  ASSERT_TRUE(detector != nullptr);
  const auto table = item_category_table(d, 0, kTrainingCommonCategoryShare);
  const auto blind = detector->forward(
      at::cat({shift_detector_features(table, histories), at::zeros({1, 4, 4})}, -1), histories,
      gaps);
  EXPECT_TRUE(at::allclose(logits.narrow(1, 0, 3), blind.narrow(1, 0, 3)));  // no "other" yet
  EXPECT_FALSE(at::allclose(logits.narrow(1, 3, 1), blind.narrow(1, 3, 1))) << logits << blind;
}

}  // namespace
}  // namespace shiftrec
