// train.precision = "bf16": autocast switches on and off where it should (per thread, nested,
// restored), the chunked softmax under it agrees with the plain path under it, and a SASRec
// trained in bf16 on the CPU takes bf16 steps (its loss differs from float32's) that stay
// close to float32's.
#include "train/mixed_precision.h"

#include <gtest/gtest.h>

#include <thread>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "models/sasrec.h"
#include "tests/fixtures.h"
#include "train/chunked_softmax.h"
#include "train/loss.h"
#include "train/trainer.h"

namespace shiftrec {
namespace {

at::ScalarType product_type() {
  return at::matmul(at::ones({2, 3}), at::ones({3, 2})).scalar_type();
}

TEST(AutocastScope, ProductsRunInBf16InsideAndFloat32AfterAndFloat32ChangesNothing) {
  EXPECT_EQ(product_type(), at::kFloat);
  {
    const AutocastScope autocast(c10::DeviceType::CPU, Precision::kBFloat16);
    EXPECT_TRUE(autocast_enabled(c10::DeviceType::CPU));
    EXPECT_EQ(product_type(), at::kBFloat16);
    {
      const AutocastScope inner(c10::DeviceType::CPU, Precision::kBFloat16);
      EXPECT_EQ(product_type(), at::kBFloat16);
    }
    EXPECT_EQ(product_type(), at::kBFloat16);  // leaving the inner scope restored the outer's
  }
  EXPECT_FALSE(autocast_enabled(c10::DeviceType::CPU));
  EXPECT_EQ(product_type(), at::kFloat);
  {
    const AutocastScope autocast(c10::DeviceType::CPU, Precision::kFloat32);
    EXPECT_FALSE(autocast_enabled(c10::DeviceType::CPU));
    EXPECT_EQ(product_type(), at::kFloat);
  }
}

// Why a batch shard opens its own scope on its worker thread (train/training_stream.cpp).
TEST(AutocastScope, IsPerThread) {
  const AutocastScope autocast(c10::DeviceType::CPU, Precision::kBFloat16);
  at::ScalarType on_other_thread = at::kBFloat16;
  std::thread other([&] { on_other_thread = product_type(); });
  other.join();
  EXPECT_EQ(on_other_thread, at::kFloat);
  EXPECT_EQ(product_type(), at::kBFloat16);
}

TEST(Precision, IsFloat32OrBf16AndAnythingElseNamesTheKey) {
  EXPECT_EQ(precision_named("float32", "train.precision"), Precision::kFloat32);
  EXPECT_EQ(precision_named("bf16", "train.precision"), Precision::kBFloat16);
  Config config = Config::from_string("[train]\nprecision = \"fp16\"\n", "p.toml");
  try {
    TrainOptions::from_config(config.section("train"), 1);
    FAIL() << "fp16 accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("precision"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fp16"), std::string::npos) << e.what();
  }
  Config bf16 = Config::from_string("[train]\nprecision = \"bf16\"\n", "p.toml");
  EXPECT_EQ(TrainOptions::from_config(bf16.section("train"), 1).precision, Precision::kBFloat16);
}

struct LossAndGradients {
  double loss;
  at::Tensor states, table;
};

LossAndGradients cross_entropy(const at::Tensor& s, const at::Tensor& e, const at::Tensor& targets,
                               int64_t chunk, Precision precision) {
  auto states = s.clone().requires_grad_(true);
  auto table = e.clone().requires_grad_(true);
  at::Tensor loss;
  {
    const AutocastScope autocast(c10::DeviceType::CPU, precision);
    loss = chunk > 0 ? chunked_softmax_cross_entropy(states, table, targets, chunk)
                     : at::cross_entropy_loss(at::matmul(states, table.t()).to(at::kFloat), targets);
  }
  loss.backward();
  EXPECT_EQ(states.grad().scalar_type(), at::kFloat);
  EXPECT_EQ(table.grad().scalar_type(), at::kFloat);
  return {loss.item<double>(), states.grad(), table.grad()};
}

TEST(ChunkedSoftmax, UnderBf16AutocastAgreesWithThePlainPathUnderItAndDiffersFromFloat32) {
  torch::manual_seed(5);
  const auto s = torch::randn({33, 16});
  const auto e = torch::randn({57, 16});
  const auto targets = torch::randint(0, 57, {33}, torch::kLong);
  const auto plain = cross_entropy(s, e, targets, 0, Precision::kBFloat16);
  const auto full = cross_entropy(s, e, targets, 0, Precision::kFloat32);
  for (int64_t chunk : {4, 33}) {
    SCOPED_TRACE(chunk);
    const auto chunked = cross_entropy(s, e, targets, chunk, Precision::kBFloat16);
    // The same bf16 logits, the same float32 softmax: the loss to float rounding.
    EXPECT_NEAR(chunked.loss, plain.loss, 1e-5 * std::abs(plain.loss));
    // The gradients' products round in bf16 in another order: bf16's ~3 significant digits.
    EXPECT_TRUE(at::allclose(chunked.states, plain.states, 2e-2, 2e-3));
    EXPECT_TRUE(at::allclose(chunked.table, plain.table, 2e-2, 2e-3));
  }
  // bf16 logits round: close to float32's loss, not equal to it (autocast was on).
  EXPECT_NE(plain.loss, full.loss);
  EXPECT_NEAR(plain.loss, full.loss, 1e-2 * std::abs(full.loss));
}

// bf16 states (an encoder under autocast) are taken and their gradient comes back in bf16.
TEST(ChunkedSoftmax, TakesBf16StatesAgainstAFloat32Table) {
  torch::manual_seed(6);
  auto states = torch::randn({9, 8}).to(at::kBFloat16).requires_grad_(true);
  auto table = torch::randn({12, 8}).requires_grad_(true);
  const auto targets = torch::randint(0, 12, {9}, torch::kLong);
  auto loss = chunked_softmax_cross_entropy(states, table, targets, 4);
  loss.backward();
  EXPECT_EQ(states.grad().scalar_type(), at::kBFloat16);
  const auto expected =
      at::cross_entropy_loss(at::matmul(states.detach().to(at::kFloat), table.detach().t()),
                             targets);
  EXPECT_NEAR(loss.item<double>(), expected.item<double>(), 1e-5);
}

double first_epoch_loss(Precision precision) {
  at::manual_seed(11);
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  auto model = make_sasrec(SASRecOptions(data.interactions.n_items).d(16).blocks(1).max_length(8));
  model->fit_statistics(split);
  Config config = Config::from_string("[loss]\nname = \"ce\"\n", "t.toml");
  auto loss = loss_registry().get("ce")(config.section("loss"));
  TrainOptions options;
  options.epochs = 1;
  options.batch_size = 16;
  options.seed = 11;
  options.precision = precision;
  options.checkpoint_every = 0;
  double recorded = 0.0;
  train_model(
      *model, *loss, split, options, c10::Device(c10::kCPU),
      [] { return std::map<std::string, double>{}; },
      [&](const EpochRecord& r) { recorded = r.train_loss; });
  for (const auto& p : model->parameters()) EXPECT_EQ(p.scalar_type(), at::kFloat);
  return recorded;
}

TEST(Trainer, Bf16TrainingTakesBf16StepsCloseToFloat32s) {
  const double full = first_epoch_loss(Precision::kFloat32);
  const double reduced = first_epoch_loss(Precision::kBFloat16);
  EXPECT_TRUE(std::isfinite(reduced));
  EXPECT_NE(reduced, full);  // the products ran in bf16
  EXPECT_NEAR(reduced, full, 0.05 * full);  // 1.7% here
  EXPECT_EQ(first_epoch_loss(Precision::kFloat32), full);  // float32 reproduces itself
}

}  // namespace
}  // namespace shiftrec
