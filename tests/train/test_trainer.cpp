#include "train/trainer.h"

#include <gtest/gtest.h>

#include <limits>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "models/recommender.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "models/sasrec.h"
#include "tests/fixtures.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

class ScoreSumLoss : public Loss {
 public:
  explicit ScoreSumLoss(double factor) : factor_(factor) {}
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    return model.score_candidates(states, positives.unsqueeze(1)).mean() * factor_;
  }

 private:
  double factor_;
};

struct Fixture {
  Fixture() : data(generate_synthetic(testing::tiny_synthetic_options())),
              split(leave_one_out(data.interactions)),
              model(SASRecOptions(data.interactions.n_items).d(8).blocks(1).max_length(8)) {}
  SyntheticData data;
  Split split;
  SASRec model;
};

TEST(Trainer, EarlyStopKeepsTheBestEpoch) {
  at::manual_seed(0);
  Fixture f;
  ScoreSumLoss loss(-1.0);
  TrainOptions options;
  options.epochs = 10;
  options.batch_size = 16;
  options.patience = 2;
  options.early_stop_metric = "ndcg@10";
  const std::vector<double> script = {0.1, 0.3, 0.2, 0.25, 0.9};
  std::vector<at::Tensor> weights_seen;
  size_t call = 0;
  const ValidateFn validate = [&]() {
    weights_seen.push_back(f.model.parameters()[0].detach().clone());
    return std::map<std::string, double>{{"ndcg@10", script.at(call++)}};
  };
  std::vector<int64_t> epochs;
  const TrainResult result = train_model(f.model, loss, f.split, options, c10::Device(c10::kCPU),
                                         validate, [&](const EpochRecord& r) {
                                           epochs.push_back(r.epoch);
                                         });
  EXPECT_EQ(result.epochs_run, 4);  // epochs 3 and 4 did not improve on epoch 2
  EXPECT_EQ(result.best_epoch, 2);
  EXPECT_DOUBLE_EQ(result.best_value, 0.3);
  EXPECT_EQ(epochs, (std::vector<int64_t>{1, 2, 3, 4}));
  // The model holds epoch 2's parameters, not the last epoch's.
  EXPECT_TRUE(at::equal(f.model.parameters()[0], weights_seen[1]));
  EXPECT_FALSE(at::equal(weights_seen[1], weights_seen[3]));
}

TEST(Trainer, WithoutValidationTargetsTheLastEpochIsKept) {
  at::manual_seed(0);
  Fixture f;
  ScoreSumLoss loss(-1.0);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 16;
  options.patience = 1;
  at::Tensor last;
  const ValidateFn validate = [&]() {
    last = f.model.parameters()[0].detach().clone();
    return std::map<std::string, double>{};  // nothing to validate on
  };
  const TrainResult result =
      train_model(f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
  EXPECT_EQ(result.epochs_run, 3);  // no early stop
  EXPECT_EQ(result.best_epoch, 3);
  EXPECT_TRUE(at::equal(f.model.parameters()[0], last));
}

// General-CF models learn (user, item) pairs of the training prefixes.
TEST(Trainer, UserIdModelsTrainOnPairs) {
  at::manual_seed(0);
  Fixture f;
  Config config = Config::from_string("[model]\nd = 8\nlayers = 2\n[loss]\n", "t.toml");
  ModelContext context;
  context.n_items = f.data.interactions.n_items;
  context.n_users = f.data.interactions.n_users;
  auto model = model_registry().get("lightgcn")(config.section("model"), context);
  auto bpr = loss_registry().get("bpr")(config.section("loss"));
  model->fit_statistics(f.split);
  TrainOptions options;
  options.epochs = 5;
  options.batch_size = 64;
  options.learning_rate = 0.01;
  std::vector<double> losses;
  train_model(*model, *bpr, f.split, options, c10::Device(c10::kCPU),
              [] { return std::map<std::string, double>{}; },
              [&](const EpochRecord& r) { losses.push_back(r.train_loss); });
  ASSERT_EQ(losses.size(), 5u);
  EXPECT_LT(losses.back(), losses.front());  // BPR on the training pairs goes down
}

TEST(Trainer, NanLossIsAClearError) {
  at::manual_seed(0);
  Fixture f;
  ScoreSumLoss loss(std::numeric_limits<double>::quiet_NaN());
  TrainOptions options;
  options.epochs = 3;
  const ValidateFn validate = [] { return std::map<std::string, double>{{"ndcg@10", 0.0}}; };
  try {
    train_model(f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(),
                 "training diverged: the mean loss of epoch 1 is nan (try a lower "
                 "train.learning_rate)");
  }
}

}  // namespace
}  // namespace shiftrec
