#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "models/recommender.h"

namespace shiftrec {
namespace {

std::shared_ptr<Recommender> bert4rec(int64_t n_items, double mask_probability) {
  Config config =
      Config::from_string("[model]\nd = 8\nheads = 2\nmax_length = 6\nmask_probability = " +
                              std::to_string(mask_probability) + "\n",
                          "t.toml");
  ModelContext context;
  context.n_items = n_items;
  auto model = model_registry().get("bert4rec")(config.section("model"), context);
  config.check_all_used();
  return model;
}

TEST(Bert4Rec, MaskingNeverTouchesPaddingAndAlwaysMasksSomething) {
  const int64_t n_items = 20;
  auto model = bert4rec(n_items, 0.5);
  model->train();
  // Next-item batch (left-padded): row 0 is x1..x4 -> inputs x1..x3, targets x2..x4;
  // row 1 is a two-item sequence.
  const auto inputs = at::tensor({0, 0, 3, 4, 5, /**/ 0, 0, 0, 0, 7}, at::kLong).view({2, 5});
  const auto targets = at::tensor({0, 0, 4, 5, 6, /**/ 0, 0, 0, 0, 8}, at::kLong).view({2, 5});
  for (int trial = 0; trial < 50; ++trial) {
    at::manual_seed(trial);
    const auto [corrupted, labels] = model->training_view(inputs, targets);
    // The whole sequence x1..xn, right-aligned and cut to max_length = 6.
    ASSERT_EQ(corrupted.sizes(), (std::vector<int64_t>{2, 6}));
    const auto sequence =
        at::tensor({0, 0, 3, 4, 5, 6, /**/ 0, 0, 0, 0, 7, 8}, at::kLong).view({2, 6});
    const auto masked = corrupted.eq(n_items + 1);
    EXPECT_FALSE((masked & sequence.eq(0)).any().item<bool>()) << "padding masked";
    EXPECT_TRUE(at::equal(corrupted.masked_select(masked.logical_not()),
                          sequence.masked_select(masked.logical_not())));
    EXPECT_TRUE(at::equal(labels.masked_select(masked), sequence.masked_select(masked)));
    EXPECT_EQ(labels.masked_select(masked.logical_not()).abs().sum().item<int64_t>(), 0);
    EXPECT_TRUE(masked.any(1).all().item<bool>()) << "a row with nothing to recover";
  }
  // Evaluation appends [mask] and predicts from it: width + 1, the last state the prediction.
  model->eval();
  torch::NoGradGuard no_grad;
  const auto states = model->encode(
      ModelInput{at::tensor({0, 3, 4, 5}, at::kLong).view({1, 4}), at::Tensor(), at::Tensor()});
  EXPECT_EQ(states.sizes(), (std::vector<int64_t>{1, 5, 8}));
  EXPECT_FALSE(model->causal());
}

}  // namespace
}  // namespace shiftrec
