#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "models/layers.h"
#include "models/recommender.h"

namespace shiftrec {
namespace {

std::shared_ptr<Recommender> bert4rec(int64_t n_items, double mask_probability,
                                      const std::string& extra = "") {
  Config config =
      Config::from_string("[model]\nd = 8\nheads = 2\nmax_length = 6\nmask_probability = " +
                              std::to_string(mask_probability) + "\n" + extra,
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

// mask_last_if_none = false: a row the draw left unmasked stays whole and unsupervised; only
// a batch in which no row drew a mask falls back to masking every row's last item.
TEST(Bert4Rec, WithoutForcedMaskingAnUnmaskedRowTeachesNothing) {
  const int64_t n_items = 20;
  const auto inputs = at::tensor({0, 0, 3, 4, 5, /**/ 0, 0, 0, 0, 7}, at::kLong).view({2, 5});
  const auto targets = at::tensor({0, 0, 4, 5, 6, /**/ 0, 0, 0, 0, 8}, at::kLong).view({2, 5});
  const auto sequence =
      at::tensor({0, 0, 3, 4, 5, 6, /**/ 0, 0, 0, 0, 7, 8}, at::kLong).view({2, 6});
  auto model = bert4rec(n_items, 0.5, "mask_last_if_none = false\n");
  model->train();
  int rows_left_whole = 0;
  for (int trial = 0; trial < 200; ++trial) {
    at::manual_seed(trial);
    const auto [corrupted, labels] = model->training_view(inputs, targets);
    const auto masked = corrupted.eq(n_items + 1);
    ASSERT_TRUE(masked.any().item<bool>()) << "a batch with nothing to recover";
    EXPECT_TRUE(at::equal(labels.masked_select(masked), sequence.masked_select(masked)));
    EXPECT_EQ(labels.masked_select(masked.logical_not()).abs().sum().item<int64_t>(), 0);
    const auto whole = masked.any(1).logical_not();
    rows_left_whole += whole.sum().item<int>();
    for (int64_t row = 0; row < 2; ++row) {
      if (whole[row].item<bool>()) EXPECT_TRUE(at::equal(corrupted[row], sequence[row]));
    }
  }
  // Row 1 has two items: it draws no mask in a quarter of the trials (the default would have
  // masked its last item every time).
  EXPECT_GT(rows_left_whole, 25);
  // A batch in which no row drew a mask (probability 0.01): every row's last item.
  auto rare = bert4rec(n_items, 0.01, "mask_last_if_none = false\n");
  rare->train();
  at::manual_seed(3);
  const auto [corrupted, labels] = rare->training_view(inputs, targets);
  EXPECT_TRUE(at::equal(corrupted.select(1, 5), at::full({2}, n_items + 1, at::kLong)));
  EXPECT_TRUE(at::equal(labels.select(1, 5), at::tensor({6, 8}, at::kLong)));
}

// A Hugging Face BertLayer, written out from the block's own parameters (dropout off).
TEST(BertBlock, IsPostNormAttentionThenAGeluFeedForward) {
  at::manual_seed(11);
  BertBlock block(4, 2, 8, 0.0);
  block->eval();
  auto p = block->named_parameters();
  const auto x = at::randn({1, 3, 4});
  const auto allowed =
      at::tensor({1, 1, 0}, at::kInt).to(at::kBool).view({1, 1, 1, 3}).expand({1, 1, 3, 3});
  auto linear = [&](const at::Tensor& in, const std::string& name) {
    return at::linear(in, p[name + ".weight"], p[name + ".bias"]);
  };
  // Two heads of width 2; the third position is padding for every query.
  auto heads = [](const at::Tensor& t) { return t.view({1, 3, 2, 2}).transpose(1, 2); };
  auto q = heads(linear(x, "attention.q")), k = heads(linear(x, "attention.k")),
       v = heads(linear(x, "attention.v"));
  auto scores = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(2.0);
  scores = scores.masked_fill(allowed.logical_not(), -1e30);
  auto context = at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({1, 3, 4});
  auto h = at::layer_norm(x + linear(context, "attention.out"), {4}, p["attention_norm.weight"],
                          p["attention_norm.bias"], 1e-12);
  auto inner = at::gelu(linear(h, "fc1"));
  auto expected = at::layer_norm(h + linear(inner, "fc2"), {4}, p["feed_forward_norm.weight"],
                                 p["feed_forward_norm.bias"], 1e-12);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(at::allclose(block->forward(x, allowed), expected, 1e-5, 1e-6));
  EXPECT_EQ(p["fc1.weight"].sizes(), (std::vector<int64_t>{8, 4}));
}

// block = "bert": positions count from each history's first item, so a history's prediction
// does not depend on how far its batch pads it; BERT's initialisation; and the option's checks.
TEST(Bert4Rec, BertBlocksPredictTheSameWhateverThePadding) {
  const std::string toml =
      "[model]\nitem_encoder = \"id\"\nsequence = \"bert4rec\"\nd = 8\n"
      "id_init = \"bert_normal\"\n[model.bert4rec]\nheads = 2\nmax_length = 8\n"
      "block = \"bert\"\nfeed_forward = 16\n";
  Config config = Config::from_string(toml, "t.toml");
  ModelContext context;
  context.n_items = 20;
  auto model = build_model(config.section("model"), context);
  config.check_all_used();
  auto params = model->named_parameters();
  EXPECT_EQ(params["sequence.blocks.0.fc1.weight"].sizes(), (std::vector<int64_t>{16, 8}));
  EXPECT_NEAR(params["sequence.blocks.0.fc1.weight"].std().item<double>(), 0.02, 0.005);
  EXPECT_EQ(params["sequence.blocks.0.fc1.bias"].abs().sum().item<double>(), 0.0);
  EXPECT_NEAR(params["ids.table.weight"].narrow(0, 1, 20).std().item<double>(), 0.02, 0.005);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto narrow = at::tensor({0, 3, 4, 5}, at::kLong).view({1, 4});
  const auto wide = at::tensor({0, 0, 0, 3, 4, 5}, at::kLong).view({1, 6});
  auto scores = [&](const at::Tensor& h) {
    const ModelInput input{h, at::Tensor(), at::Tensor()};
    return model->score_next(input, model->encode(input).select(1, -1));
  };
  EXPECT_TRUE(at::allclose(scores(narrow), scores(wide), 1e-5, 1e-6));

  for (const auto& [bad, key] : std::vector<std::pair<std::string, std::string>>{
           {"[model]\nname = \"bert4rec\"\nfeed_forward = 16\n", "model.feed_forward"},
           {"[model]\nname = \"bert4rec\"\nblock = \"gpt\"\n", "model.block"}}) {
    Config c = Config::from_string(bad, "bad.toml");
    try {
      model_registry().get("bert4rec")(c.section("model"), context);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace shiftrec
