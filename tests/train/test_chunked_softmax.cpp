// The chunked full-softmax cross-entropy equals the plain one — loss and both gradients — for
// every chunk size, including chunks that do not divide the rows and one larger than all.
#include "train/chunked_softmax.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

struct Gradients {
  at::Tensor loss, states, table;
};

Gradients plain(const at::Tensor& s, const at::Tensor& e, const at::Tensor& targets) {
  auto states = s.clone().requires_grad_(true);
  auto table = e.clone().requires_grad_(true);
  auto loss = at::cross_entropy_loss(at::matmul(states, table.t()), targets);
  loss.backward();
  return {loss.detach(), states.grad(), table.grad()};
}

Gradients chunked(const at::Tensor& s, const at::Tensor& e, const at::Tensor& targets,
                  int64_t chunk) {
  auto states = s.clone().requires_grad_(true);
  auto table = e.clone().requires_grad_(true);
  auto loss = chunked_softmax_cross_entropy(states, table, targets, chunk);
  loss.backward();
  return {loss.detach(), states.grad(), table.grad()};
}

// Both ways of computing a chunk's softmax: the CPU row kernels (the default here) and
// LibTorch's operators (a GPU's path).
class ChunkedSoftmaxPaths : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { use_operator_softmax_rows(GetParam()); }
  void TearDown() override { use_operator_softmax_rows(false); }
};

TEST_P(ChunkedSoftmaxPaths, EqualsThePlainCrossEntropyAndItsGradientsForEveryChunkSize) {
  torch::manual_seed(3);
  const auto s = torch::randn({7, 5}) * 2;
  const auto e = torch::randn({11, 5});
  const auto targets = torch::tensor({0, 3, 10, 3, 7, 1, 9}, torch::kLong);
  const Gradients expected = plain(s, e, targets);
  for (int64_t chunk : {1, 3, 7, 50}) {
    SCOPED_TRACE(chunk);
    const Gradients got = chunked(s, e, targets, chunk);
    EXPECT_NEAR(got.loss.item<double>(), expected.loss.item<double>(), 1e-6);
    EXPECT_TRUE(at::allclose(got.states, expected.states, 1e-5, 1e-6));
    EXPECT_TRUE(at::allclose(got.table, expected.table, 1e-5, 1e-6));
  }
  // The gradient of a scaled loss scales (the incoming gradient is used, not assumed 1).
  auto states = s.clone().requires_grad_(true);
  (3.0 * chunked_softmax_cross_entropy(states, e, targets, 2)).backward();
  EXPECT_TRUE(at::allclose(states.grad(), 3.0 * expected.states, 1e-5, 1e-6));
}

// A catalogue wider than a vector register's lanes and large logits (a row maximum far from
// 0), the targets as a non-contiguous view: still the plain loss and gradients.
TEST_P(ChunkedSoftmaxPaths, EqualsThePlainCrossEntropyOnAWideCatalogue) {
  torch::manual_seed(11);
  const auto s = torch::randn({37, 16}) * 3;
  const auto e = torch::randn({1031, 16});
  const auto targets = torch::randint(0, 1031, {37, 2}, torch::kLong).select(1, 1);
  const Gradients expected = plain(s, e, targets);
  const Gradients got = chunked(s, e, targets, 8);
  EXPECT_NEAR(got.loss.item<double>(), expected.loss.item<double>(), 1e-5);
  EXPECT_TRUE(at::allclose(got.states, expected.states, 1e-4, 1e-6));
  EXPECT_TRUE(at::allclose(got.table, expected.table, 1e-4, 1e-6));
}

// A diverged model is not hidden: a NaN in one state or one item's row makes the loss NaN,
// as the plain cross-entropy's is.
TEST_P(ChunkedSoftmaxPaths, ANanStateOrItemMakesTheLossNan) {
  torch::manual_seed(13);
  const auto s = torch::randn({6, 4});
  const auto e = torch::randn({40, 4});
  const auto targets = torch::tensor({1, 2, 3, 4, 5, 6}, torch::kLong);
  auto bad_state = s.clone();
  bad_state[4][2] = std::nanf("");
  EXPECT_TRUE(std::isnan(chunked(bad_state, e, targets, 4).loss.item<float>()));
  auto bad_item = e.clone();
  bad_item[33][0] = std::nanf("");  // never a target
  EXPECT_TRUE(std::isnan(chunked(s, bad_item, targets, 4).loss.item<float>()));
}

// Double-precision inputs take the operators (the row kernels read float rows): still the
// plain loss.
TEST_P(ChunkedSoftmaxPaths, DoubleInputsGiveThePlainLoss) {
  torch::manual_seed(17);
  const auto s = torch::randn({5, 3}, torch::kDouble);
  const auto e = torch::randn({9, 3}, torch::kDouble);
  const auto targets = torch::tensor({0, 8, 4, 4, 2}, torch::kLong);
  const Gradients expected = plain(s, e, targets);
  const Gradients got = chunked(s, e, targets, 2);
  EXPECT_NEAR(got.loss.item<double>(), expected.loss.item<double>(), 1e-12);
  EXPECT_TRUE(at::allclose(got.states, expected.states, 1e-10, 1e-12));
}

// A target outside the table is an error on either path, never a read past a row.
TEST_P(ChunkedSoftmaxPaths, ATargetOutsideTheTableIsAnError) {
  const auto s = torch::randn({3, 4});
  const auto e = torch::randn({10, 4});
  EXPECT_ANY_THROW(chunked(s, e, torch::tensor({1, 10, 2}, torch::kLong), 2));
  EXPECT_ANY_THROW(chunked(s, e, torch::tensor({1, -1, 2}, torch::kLong), 2));
}

INSTANTIATE_TEST_SUITE_P(RowKernelsAndOperators, ChunkedSoftmaxPaths, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Operators") : std::string("RowKernels");
                         });

// A model whose scores are states · tableᵀ, as the contract says every model's are.
class DotProductModel : public Recommender {
 public:
  DotProductModel() { table_ = register_parameter("table", torch::randn({13, 4})); }
  at::Tensor encode(const ModelInput& input) override { return input.histories; }
  at::Tensor score_all(const at::Tensor& states) override {
    return at::matmul(states, table_.t());
  }
  at::Tensor score_candidates(const at::Tensor& states, const at::Tensor&) override {
    return score_all(states);
  }
  at::Tensor item_embeddings() override { return table_; }
  int64_t max_length() const override { return 1; }
  int64_t n_items() const override { return 13; }

 private:
  at::Tensor table_;
};

TEST(ChunkedSoftmax, TheCeLossWithAChunkGivesThePlainLossesGradients) {
  torch::manual_seed(5);
  const auto states = torch::randn({9, 4});
  const auto positives = torch::randint(0, 13, {9}, torch::kLong);
  std::vector<at::Tensor> grads;
  for (const char* toml : {"[loss]\n", "[loss]\nchunk = 4\n"}) {
    torch::manual_seed(7);  // the same table for both
    DotProductModel model;
    Config config = Config::from_string(toml, "test.toml");
    auto loss = loss_registry().get("ce")(config.section("loss"));
    config.check_all_used();
    loss->compute(model, states, positives).backward();
    grads.push_back(model.item_embeddings().grad().clone());
  }
  EXPECT_TRUE(at::allclose(grads[0], grads[1], 1e-5, 1e-6));
}

}  // namespace
}  // namespace shiftrec
