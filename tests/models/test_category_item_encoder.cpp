// The `categories` item encoder (models/category_item_encoder.cpp): an item's row is its ID row
// plus the mean of its categories' rows, in every score and its gradient; a fresh model is the
// `id` model; data without categories is a clear error naming the key.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/error.h"
#include "datasets/interactions.h"
#include "models/recommender.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/models/model_from_toml.h"

namespace shiftrec {
namespace {

// 4 items: item 0 in categories {0, 1}, item 1 in {1}, item 2 in none, item 3 in {2}.
Interactions four_items() {
  Interactions data;
  data.n_users = 1;
  data.n_items = 4;
  data.n_categories = 3;
  data.category_offsets = {0, 2, 3, 3, 4};
  data.category_ids = {0, 1, 1, 2};
  return data;
}

std::shared_ptr<Recommender> compose_over(const std::string& item_encoder,
                                          const Interactions& data) {
  at::manual_seed(7);
  return testing::model_from_toml(
      "[model]\nitem_encoder = \"" + item_encoder + "\"\nsequence = \"sasrec\"\nd = 3\n", data);
}

TEST(CategoryItemEncoder, AnItemIsItsIdRowPlusTheMeanOfItsCategoriesRows) {
  const Interactions data = four_items();
  auto model = compose_over("categories", data);
  auto control = compose_over("id", data);
  model->eval();
  control->eval();
  auto params = model->named_parameters();
  at::Tensor categories = params["items.category_embedding"];
  ASSERT_EQ(categories.sizes(), (std::vector<int64_t>{3, 3}));
  const at::Tensor eye = at::eye(3);
  {
    // Fresh: the categories start at zero, so the model scores as the `id` model does.
    torch::NoGradGuard no_grad;
    EXPECT_EQ(categories.abs().sum().item<double>(), 0.0);
    EXPECT_TRUE(at::equal(model->score_all(eye), control->score_all(eye)));
    categories.copy_(
        at::tensor({1.f, 2.f, 3.f, 10.f, 20.f, 30.f, 100.f, 200.f, 300.f}).view({3, 3}));
  }
  // score_all(I) = table^T: [d, n_items].
  auto scores = model->score_all(eye);
  const at::Tensor ids = params["ids.table.weight"].detach().narrow(0, 1, 4);  // [4, 3]
  const at::Tensor expected =
      at::stack({ids[0] + at::tensor({5.5f, 11.f, 16.5f}), ids[1] + at::tensor({10.f, 20.f, 30.f}),
                 ids[2], ids[3] + at::tensor({100.f, 200.f, 300.f})});
  EXPECT_TRUE(at::allclose(scores.detach().t(), expected, 1e-5, 1e-6));

  // d(sum of every score for states I)/d E_cat[c] = sum over c's items of 1/|C(item)|,
  // in each of the 3 columns: c0 <- item 0 (1/2); c1 <- item 0 (1/2) + item 1 (1); c2 <- item 3.
  scores.sum().backward();
  ASSERT_TRUE(categories.grad().defined());
  const at::Tensor expected_grad = at::tensor({0.5f, 1.5f, 1.f}).view({3, 1}).expand({3, 3});
  EXPECT_TRUE(at::allclose(categories.grad(), expected_grad)) << categories.grad();
}

TEST(CategoryItemEncoder, DataWithoutCategoriesIsAnErrorNamingTheKey) {
  Interactions data = four_items();
  data.category_offsets.clear();
  data.category_ids.clear();
  data.n_categories = 0;
  try {
    compose_over("categories", data);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("model.item_encoder"), std::string::npos) << e.what();
  }
}

// The preset `category_shift_sasrec` is the shift study's composition (categories + SASRec +
// shift_weight, weight 2 unless given): the same parameters at the same seed, and the same
// weighted loss on histories with SHIFT positions.
TEST(CategoryShiftSASRec, IsTheCompositionWithTheShiftWeightHead) {
  const Interactions data = testing::hand_labelled();
  const auto build = [&](const std::string& model) {
    at::manual_seed(9);
    auto built = testing::model_from_toml(model, data);
    built->eval();
    // The category rows start at zero; give them values so that they reach the scores.
    torch::NoGradGuard no_grad;
    auto params = built->named_parameters();
    at::manual_seed(10);
    params["items.category_embedding"].normal_();
    return built;
  };
  const std::string parts =
      "[model]\nitem_encoder = \"categories\"\nsequence = \"sasrec\"\nheads = [\"shift_weight\"]\n"
      "d = 4\n[model.sasrec]\nmax_length = 5\n";
  // The histories of ShiftHead.LabelsOfTrainingPositionsByHand: SHIFT at (0, 0), (0, 1), (1, 2).
  const auto histories = at::tensor({1, 2, 3, 2, 1, /**/ 0, 0, 1, 2, 4}, at::kLong).view({2, 5});
  const auto targets = at::tensor({2, 3, 2, 1, 5, /**/ 0, 0, 2, 4, 3}, at::kLong).view({2, 5});
  const auto extra_loss = [&](Recommender& model) {
    const ModelInput input{histories, at::Tensor(), at::Tensor()};
    return model.auxiliary_loss(input, model.encode(input), targets).item<double>();
  };
  for (const auto& [weight, preset_weight] :
       std::vector<std::pair<std::string, std::string>>{{"2.0", ""}, {"3.0", "weight = 3.0\n"}}) {
    SCOPED_TRACE(weight);
    auto preset = build("[model]\nname = \"category_shift_sasrec\"\nd = 4\nmax_length = 5\n" +
                        preset_weight);
    auto composed = build(parts + "[model.shift_weight]\nweight = " + weight + "\n");
    auto a = preset->named_parameters();
    auto b = composed->named_parameters();
    ASSERT_EQ(a.keys(), b.keys());
    for (const auto& key : a.keys()) EXPECT_TRUE(at::equal(a[key], b[key])) << key;
    const double loss = extra_loss(*preset);
    EXPECT_GT(loss, 0.0);
    EXPECT_EQ(loss, extra_loss(*composed));
  }
  // Weight 3 adds twice what weight 2 adds (the extra term is (weight - 1) x the SHIFT CE).
  auto two = build("[model]\nname = \"category_shift_sasrec\"\nd = 4\nmax_length = 5\n");
  auto three =
      build("[model]\nname = \"category_shift_sasrec\"\nd = 4\nmax_length = 5\nweight = 3.0\n");
  EXPECT_NEAR(extra_loss(*three), 2.0 * extra_loss(*two), 1e-6);
}

}  // namespace
}  // namespace shiftrec
