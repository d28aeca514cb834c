#include "train/batch_shards.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "core/seed.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "models/recommender.h"
#include "tests/fixtures.h"
#include "train/loss.h"
#include "train/trainer.h"
#include "train/training_stream.h"

namespace shiftrec {
namespace {

TEST(ShardWorkers, RunEveryShardOnceAndPassOnTheFirstError) {
  ShardWorkers workers(3);
  ASSERT_EQ(workers.shards(), 3);
  std::vector<std::atomic<int>> calls(3);
  for (int round = 0; round < 5; ++round) {
    workers.run([&](int64_t s) { ++calls[static_cast<size_t>(s)]; });
  }
  for (const auto& c : calls) EXPECT_EQ(c.load(), 5);
  EXPECT_THROW(workers.run([](int64_t s) {
    if (s == 2) throw std::runtime_error("shard 2 failed");
  }),
               std::runtime_error);
  int after = 0;  // still usable
  std::atomic<int> counted{0};
  workers.run([&](int64_t) { ++counted; });
  after = counted.load();
  EXPECT_EQ(after, 3);
}

struct Fixture {
  Fixture()
      : data(generate_synthetic(testing::tiny_synthetic_options())),
        split(leave_one_out(data.interactions)) {}
  SyntheticData data;
  Split split;
};

struct Built {
  std::shared_ptr<Recommender> model;
  std::unique_ptr<Loss> loss;
};

Built build(const Fixture& f, const std::string& model_toml, const std::string& loss_toml) {
  Config config =
      Config::from_string("[model]\n" + model_toml + "\n[loss]\n" + loss_toml, "t.toml");
  ModelContext context;
  context.n_items = f.data.interactions.n_items;
  context.n_users = f.data.interactions.n_users;
  context.data = &f.data.interactions;
  Built b{build_model(config.section("model"), context),
          loss_registry().get(config.section("loss").get_string("name", "ce", "loss"))(
              config.section("loss"))};
  b.model->fit_statistics(f.split);
  b.model->train();
  return b;
}

struct Step {
  at::Tensor loss;
  std::vector<at::Tensor> gradients;  // by parameter (zeros where none reached)
};

// Batch `index` of the first epoch's plan, with `shards` shards (1: the unsharded path).
Step step(const Fixture& f, Built& b, int64_t shards, int64_t index, uint64_t seed) {
  TrainOptions options;
  options.batch_size = 24;
  auto stream = make_training_stream(*b.model, f.split, options);
  Rng rng(11);
  const int64_t batches = stream->plan_epoch(rng, nullptr);
  EXPECT_GT(batches, index);
  for (auto& p : b.model->parameters()) p.mutable_grad() = at::Tensor();
  std::unique_ptr<ShardWorkers> workers;
  if (shards > 1) workers = std::make_unique<ShardWorkers>(shards);
  at::manual_seed(3);
  Step s;
  s.loss = stream->batch_gradients(index, *b.model, *b.loss, c10::Device(c10::kCPU), workers.get(),
                                   seed);
  for (const auto& p : b.model->parameters()) {
    s.gradients.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
  }
  return s;
}

void expect_same_step(const Step& a, const Step& b, double tolerance) {
  EXPECT_NEAR(a.loss.item<double>(), b.loss.item<double>(), tolerance);
  ASSERT_EQ(a.gradients.size(), b.gradients.size());
  for (size_t i = 0; i < a.gradients.size(); ++i) {
    EXPECT_TRUE(at::allclose(a.gradients[i], b.gradients[i], 1e-4, tolerance))
        << "parameter " << i << ": " << (a.gradients[i] - b.gradients[i]).abs().max().item<float>();
  }
}

// Without random draws (no dropout; BERT4Rec masking every item; the full softmax) a sharded
// step is the unsharded one: the same loss and gradients, to float rounding — the mean over the
// batch's positions, weighted by the batch's share of positions with length buckets.
TEST(BatchShards, WithoutRandomDrawsAShardedStepIsTheUnshardedOne) {
  at::manual_seed(1);
  Fixture f;
  for (const std::string& model :
       {std::string("name = \"sasrec\"\nd = 8\nblocks = 2\ndropout = 0.0\nmax_length = 8"),
        std::string("name = \"bert4rec\"\nd = 8\nblocks = 1\ndropout = 0.0\nmax_length = 8\n"
                    "mask_probability = 1.0")}) {
    SCOPED_TRACE(model);
    Built b = build(f, model, "name = \"ce\"");
    ASSERT_TRUE(b.model->shardable());
    for (int64_t index : {0, 1}) {
      const Step plain = step(f, b, 1, index, 5);
      for (int64_t shards : {2, 3, 7}) {
        SCOPED_TRACE("shards " + std::to_string(shards));
        expect_same_step(step(f, b, shards, index, 5), plain, 1e-6);
      }
    }
  }
}

// With dropout and sampled negatives, each shard draws from its own generator: the same seed
// gives the same step (whatever order the threads ran in), another seed another step.
TEST(BatchShards, ShardedDrawsAreReproducibleFromTheSeed) {
  at::manual_seed(1);
  Fixture f;
  Built b = build(f, "name = \"sasrec\"\nd = 8\nblocks = 1\ndropout = 0.5\nmax_length = 8",
                  "name = \"bce\"\nnegatives = 2");
  const Step first = step(f, b, 2, 0, 5);
  for (int repeat = 0; repeat < 3; ++repeat) expect_same_step(step(f, b, 2, 0, 5), first, 0.0);
  const Step other = step(f, b, 2, 0, 6);
  EXPECT_NE(other.loss.item<double>(), first.loss.item<double>());
}

TEST(BatchShards, AModelThatCannotShareABatchOutIsAClearError) {
  at::manual_seed(1);
  Fixture f;
  Built b = build(f,
                  "item_encoder = \"lightgcn\"\nsequence = \"sasrec\"\nd = 8\n[model.lightgcn]\n"
                  "layers = 1\n[model.sasrec]\nmax_length = 8",
                  "name = \"ce\"");
  EXPECT_FALSE(b.model->shardable());
  TrainOptions options;
  options.epochs = 1;
  options.shards = 2;
  try {
    train_model(
        *b.model, *b.loss, f.split, options, c10::Device(c10::kCPU),
        [] { return std::map<std::string, double>{}; }, nullptr);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("train.shards"), std::string::npos) << e.what();
  }
}

// Two epochs sharded in the trainer: the loss falls and the thread count is back afterwards.
TEST(BatchShards, TheTrainerTrainsWithShardsAndGivesItsThreadsBack) {
  at::manual_seed(1);
  Fixture f;
  Built b = build(f, "name = \"sasrec\"\nd = 8\nblocks = 1\nmax_length = 8", "name = \"ce\"");
  const int threads = at::get_num_threads();
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 16;
  options.shards = 2;
  const TrainResult result = train_model(
      *b.model, *b.loss, f.split, options, c10::Device(c10::kCPU),
      [] { return std::map<std::string, double>{}; }, nullptr);
  ASSERT_EQ(result.history.size(), 3u);
  EXPECT_LT(result.history.back().train_loss, result.history.front().train_loss);
  EXPECT_EQ(at::get_num_threads(), threads);
}

}  // namespace
}  // namespace shiftrec
