#include "train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "models/recommender.h"
#include "models/sasrec.h"
#include "tests/fixtures.h"
#include "train/batching.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

int testing_count(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

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
  Fixture()
      : data(generate_synthetic(testing::tiny_synthetic_options())),
        split(leave_one_out(data.interactions)),
        model(make_sasrec(SASRecOptions(data.interactions.n_items).d(8).blocks(1).max_length(8))) {}
  SyntheticData data;
  Split split;
  std::shared_ptr<Recommender> model;
};

// A registered model and loss, built and fitted the way a run builds them. `model_toml` holds
// the [model] options (without the name).
struct Registered {
  std::shared_ptr<Recommender> model;
  std::unique_ptr<Loss> loss;
};

Registered build_registered(const Fixture& f, const std::string& model_name,
                            const std::string& model_toml, const std::string& loss_name) {
  Config config = Config::from_string("[model]\n" + model_toml + "\n[loss]\n", "t.toml");
  ModelContext context;
  context.n_items = f.data.interactions.n_items;
  context.n_users = f.data.interactions.n_users;
  context.data = &f.data.interactions;
  Registered built{model_registry().get(model_name)(config.section("model"), context),
                   loss_registry().get(loss_name)(config.section("loss"))};
  built.model->fit_statistics(f.split);
  return built;
}

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
    weights_seen.push_back(f.model->parameters()[0].detach().clone());
    return std::map<std::string, double>{{"ndcg@10", script.at(call++)}};
  };
  std::vector<int64_t> epochs;
  const TrainResult result =
      train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate,
                  [&](const EpochRecord& r) { epochs.push_back(r.epoch); });
  EXPECT_EQ(result.epochs_run, 4);  // epochs 3 and 4 did not improve on epoch 2
  EXPECT_EQ(result.best_epoch, 2);
  EXPECT_DOUBLE_EQ(result.best_value, 0.3);
  EXPECT_EQ(epochs, (std::vector<int64_t>{1, 2, 3, 4}));
  // The model holds epoch 2's parameters, not the last epoch's.
  EXPECT_TRUE(at::equal(f.model->parameters()[0], weights_seen[1]));
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
    last = f.model->parameters()[0].detach().clone();
    return std::map<std::string, double>{};  // nothing to validate on
  };
  const TrainResult result =
      train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
  EXPECT_EQ(result.epochs_run, 3);  // no early stop
  EXPECT_EQ(result.best_epoch, 3);
  EXPECT_TRUE(at::equal(f.model->parameters()[0], last));
}

// General-CF models learn (user, item) pairs of the training prefixes.
TEST(Trainer, UserIdModelsTrainOnPairs) {
  at::manual_seed(0);
  Fixture f;
  auto [model, bpr] = build_registered(f, "lightgcn", "d = 8\nlayers = 2", "bpr");
  TrainOptions options;
  options.epochs = 5;
  options.batch_size = 64;
  options.learning_rate = 0.01;
  std::vector<double> losses;
  train_model(
      *model, *bpr, f.split, options, c10::Device(c10::kCPU),
      [] { return std::map<std::string, double>{}; },
      [&](const EpochRecord& r) { losses.push_back(r.train_loss); });
  ASSERT_EQ(losses.size(), 5u);
  EXPECT_LT(losses.back(), losses.front());  // BPR on the training pairs goes down
}

TEST(Trainer, PairTrainingAddsTheModelsBatchPenalty) {
  Fixture f;
  double norms[2];
  for (int with_penalty = 0; with_penalty < 2; ++with_penalty) {
    at::manual_seed(0);
    auto [model, bpr] = build_registered(
        f, "lightgcn",
        std::string("d = 8\nlayers = 2\n") + (with_penalty ? "embedding_l2 = 50.0" : ""), "bpr");
    TrainOptions options;
    options.epochs = 3;
    options.batch_size = 64;
    options.learning_rate = 0.01;
    train_model(
        *model, *bpr, f.split, options, c10::Device(c10::kCPU),
        [] { return std::map<std::string, double>{}; }, nullptr);
    norms[with_penalty] = model->parameters()[0].norm().item<double>();
  }
  EXPECT_LT(norms[1], 0.5 * norms[0]);  // a strong L2 on the batch's embeddings shrinks them
}

TEST(Trainer, EveryStepFollowsTheScheduleAcrossEpochs) {
  at::manual_seed(0);
  Fixture f;
  ScoreSumLoss loss(-1.0);
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 16;
  options.learning_rate = 0.01;
  options.schedule = LrSchedule{"linear", 2};
  Rng rng(1);
  const int64_t per_epoch = static_cast<int64_t>(
      SequenceBatcher(f.split, f.model->max_length(), 16, true).epoch_plan(rng).size());
  std::vector<double> rates;
  train_model(
      *f.model, loss, f.split, options, c10::Device(c10::kCPU),
      [] { return std::map<std::string, double>{}; },
      [&](const EpochRecord& r) { rates.push_back(r.learning_rate); });
  ASSERT_EQ(rates.size(), 3u);
  const int64_t total = 3 * per_epoch;  // epoch e ends on step e * per_epoch - 1
  for (int64_t e = 1; e <= 3; ++e) {
    const double remaining = static_cast<double>(total - (e * per_epoch - 1));
    EXPECT_DOUBLE_EQ(rates[e - 1], 0.01 * remaining / static_cast<double>(total - 2)) << e;
  }
  // The optimiser steps with that rate: a warmup far longer than training keeps every rate
  // near 0, so the parameters barely move compared with a constant rate.
  const auto moved = [&](const LrSchedule& schedule) {
    at::manual_seed(0);
    Fixture g;
    const auto before = g.model->parameters()[0].detach().clone();
    options.schedule = schedule;
    options.epochs = 1;
    train_model(
        *g.model, loss, g.split, options, c10::Device(c10::kCPU),
        [] { return std::map<std::string, double>{}; }, nullptr);
    return (g.model->parameters()[0] - before).abs().sum().item<double>();
  };
  EXPECT_LT(moved(LrSchedule{"constant", 1000000}), 1e-3 * moved(LrSchedule{"constant", 0}));
}

TEST(Trainer, NanLossIsAClearError) {
  at::manual_seed(0);
  Fixture f;
  ScoreSumLoss loss(std::numeric_limits<double>::quiet_NaN());
  TrainOptions options;
  options.epochs = 3;
  const ValidateFn validate = [] { return std::map<std::string, double>{{"ndcg@10", 0.0}}; };
  try {
    train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("training diverged at epoch 1, batch 1 of ", 0), 0u)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(": the loss is nan; the step was not applied"),
              std::string::npos)
        << e.what();
  }
  for (const auto& p : f.model->parameters()) EXPECT_TRUE(at::isfinite(p).all().item<bool>());
}

// Divergence: a loss that turns non-finite mid-run stops at that very step, before the
// optimizer applies it; the parameters are those of the step before.
class NanAtStepLoss : public Loss {
 public:
  explicit NanAtStepLoss(int64_t bad_step) : bad_step_(bad_step) {}
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    const at::Tensor loss = model.score_candidates(states, positives.unsqueeze(1)).mean();
    return ++steps_ == bad_step_ ? loss * std::numeric_limits<double>::infinity() : loss;
  }
  int64_t steps_ = 0;

 private:
  int64_t bad_step_;
};

// A loss that stays finite but explodes (100x after the first epoch) is a warning on the
// console and in the log, once.
class ExplodingLoss : public Loss {
 public:
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    const at::Tensor loss = model.score_candidates(states, positives.unsqueeze(1)).mean().abs() + 1;
    return ++steps_ > 1 ? loss * 100 : loss;
  }

 private:
  int64_t steps_ = 0;
};

TEST(Trainer, AnExplodingLossIsAWarning) {
  at::manual_seed(0);
  Fixture f;
  ExplodingLoss loss;
  TrainOptions options;
  options.epochs = 3;
  options.batch_size = 1024;  // one step per epoch
  const ValidateFn validate = [] { return std::map<std::string, double>{}; };
  ::testing::internal::CaptureStderr();
  train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(testing_count(printed, "warn: the training loss is exploding: "), 1) << printed;
  EXPECT_NE(printed.find("in epoch 2, over 10x the "), std::string::npos) << printed;
}

TEST(Trainer, DivergenceIsCaughtAtTheStepBeforeItReachesTheParameters) {
  at::manual_seed(0);
  Fixture f;
  NanAtStepLoss loss(5);
  TrainOptions options;
  options.epochs = 4;
  options.batch_size = 8;  // several steps per epoch
  const ValidateFn validate = [] { return std::map<std::string, double>{}; };
  std::vector<at::Tensor> before_bad_step;
  try {
    train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("training diverged at epoch "), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("batch 5 of "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("inf; the step was not applied"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(loss.steps_, 5);  // stopped at the bad step, not at the end of the epoch
  for (const auto& p : f.model->parameters()) EXPECT_TRUE(at::isfinite(p).all().item<bool>());
}

// A finite loss whose gradient is not: sqrt(|s - s|) is 0, its derivative 0 x inf = NaN.
class NanGradientLoss : public Loss {
 public:
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    const at::Tensor scores = model.score_candidates(states, positives.unsqueeze(1));
    return scores.mean() + (scores - scores.detach()).abs().sqrt().sum();
  }
};

TEST(Trainer, ANonFiniteGradientUnderAFiniteLossIsAClearError) {
  at::manual_seed(0);
  Fixture f;
  NanGradientLoss loss;
  TrainOptions options;
  options.epochs = 2;
  const ValidateFn validate = [] { return std::map<std::string, double>{}; };
  try {
    train_model(*f.model, loss, f.split, options, c10::Device(c10::kCPU), validate, nullptr);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("batch 1 of "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(": a gradient is not finite; the step was not applied"),
              std::string::npos)
        << e.what();
  }
  for (const auto& p : f.model->parameters()) EXPECT_TRUE(at::isfinite(p).all().item<bool>());
}

// A registered model and loss on the tiny fixture, built the way a run builds them: a SASRec
// with dropout and BCE (negatives and dropout draw from LibTorch's generator) or a LightGCN
// with BPR (pair batches).
struct ResumeCase {
  std::string model_toml, model_name, loss_name;
  int64_t shards = 1;  // train.shards: the shards' generators come from the seed and the step
};

void PrintTo(const ResumeCase& c, std::ostream* os) {
  *os << c.model_name << " + " << c.loss_name << " in " << c.shards << " shard(s)";
}

class TrainerResume : public ::testing::TestWithParam<ResumeCase> {
 protected:
  // Builds the model from seed 7 (so every call starts from the same initial values) and
  // trains it; `kill_after` > 0 throws from the epoch callback after that epoch, as a kill would.
  TrainResult train(const TrainStateFile& state, int64_t kill_after, int64_t checkpoint_every,
                    std::vector<at::Tensor>* parameters,
                    std::vector<int64_t>* epochs_seen = nullptr) {
    at::manual_seed(7);
    auto [model, loss] =
        build_registered(f_, GetParam().model_name, GetParam().model_toml, GetParam().loss_name);
    TrainOptions options;
    options.epochs = 5;
    options.batch_size = 16;
    options.learning_rate = 0.01;
    options.patience = 100;
    options.checkpoint_every = checkpoint_every;
    options.seed = 3;
    options.shards = GetParam().shards;
    // Validation by epoch: improves, then not, then improves (the kept epoch is 4, not 5).
    int64_t epoch =
        std::filesystem::exists(state.path) ? read_train_progress(state).epochs_done : 0;
    const ValidateFn validate = [&] {
      const double script[] = {0.1, 0.3, 0.2, 0.4, 0.35};
      return std::map<std::string, double>{{"ndcg@10", script[epoch]}};
    };
    TrainResult result = train_model(
        *model, *loss, f_.split, options, c10::Device(c10::kCPU), validate,
        [&](const EpochRecord& r) {
          epoch = r.epoch;
          if (epochs_seen != nullptr) epochs_seen->push_back(r.epoch);
          if (r.epoch == kill_after) throw std::runtime_error("killed");
        },
        state);
    for (const auto& p : model->parameters()) parameters->push_back(p.detach().clone());
    return result;
  }

  Fixture f_;
  testing::TempDir dir_;
};

TEST_P(TrainerResume, KilledAndResumedEqualsNeverStopped) {
  std::vector<at::Tensor> straight, resumed, unused;
  const TrainResult whole = train({dir_.file("straight.pt"), "f"}, 0, 1, &straight);
  // Killed after epoch 3 with a state every 2 epochs: epoch 3 is lost and run again.
  const TrainStateFile state{dir_.file("resumed.pt"), "f"};
  EXPECT_THROW(train(state, 3, 2, &unused), std::runtime_error);
  EXPECT_EQ(read_train_progress(state).epochs_done, 2);
  std::vector<int64_t> epochs_seen;
  const TrainResult rest = train(state, 0, 2, &resumed, &epochs_seen);
  EXPECT_EQ(epochs_seen, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(rest.epochs_run, 5);
  EXPECT_EQ(rest.best_epoch, whole.best_epoch);
  EXPECT_EQ(whole.best_epoch, 4);
  EXPECT_EQ(rest.resumed_after, (std::vector<int64_t>{2}));
  ASSERT_EQ(straight.size(), resumed.size());
  for (size_t i = 0; i < straight.size(); ++i) {
    EXPECT_TRUE(at::equal(straight[i], resumed[i])) << "parameter " << i;
  }
  for (size_t e = 0; e < rest.history.size(); ++e) {  // the same losses, epoch by epoch
    EXPECT_EQ(rest.history[e].train_loss, whole.history[e + 2].train_loss) << "epoch " << e + 3;
  }
}

TEST_P(TrainerResume, AFinishedStateTrainsNoFurtherAndAForeignOneIsRefused) {
  std::vector<at::Tensor> first, again;
  const TrainStateFile state{dir_.file("state.pt"), "config A"};
  train(state, 0, 1, &first);
  EXPECT_TRUE(read_train_progress(state).finished);
  std::vector<int64_t> epochs_seen;
  const TrainResult result = train(state, 0, 1, &again, &epochs_seen);
  EXPECT_TRUE(epochs_seen.empty());
  EXPECT_EQ(result.epochs_run, 5);
  for (size_t i = 0; i < first.size(); ++i) EXPECT_TRUE(at::equal(first[i], again[i]));
  try {
    train({state.path, "config B"}, 0, 1, &again);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), state.path +
                                         ": training state of another config or data "
                                         "(config A; this run is config B)");
  }
  testing::write_text(state.path, "not an archive");
  EXPECT_THROW(train(state, 0, 1, &again), UserError);
}

INSTANTIATE_TEST_SUITE_P(
    Models, TrainerResume,
    ::testing::Values(
        ResumeCase{"d = 8\nblocks = 1\nmax_length = 8\ndropout = 0.3", "sasrec", "bce"},
        ResumeCase{"d = 8\nlayers = 2", "lightgcn", "bpr"},
        // masking draws from LibTorch's generator
        ResumeCase{"d = 8\nblocks = 1\nmax_length = 8", "bert4rec", "ce"},
        ResumeCase{"d = 8\nmax_length = 8", "gru4rec", "sampled_softmax"},
        // sharded batches: dropout, negatives and masking from per-shard generators
        ResumeCase{"d = 8\nblocks = 1\nmax_length = 8\ndropout = 0.3", "sasrec", "bce", 2},
        ResumeCase{"d = 8\nblocks = 1\nmax_length = 8", "bert4rec", "ce", 3},
        // every shift-head part: gaps, the graph, the move head, the mixture
        ResumeCase{"d = 8\nblocks = 1\nmax_length = 8\ntime_gaps = true\nshift_mixture = true\n"
                   "shift_graph = true\nshift_move_head = true",
                   "shift_sasrec", "gbce"}),
    [](const ::testing::TestParamInfo<ResumeCase>& info) {
      return info.param.model_name +
             (info.param.shards > 1 ? "_in_" + std::to_string(info.param.shards) + "_shards" : "");
    });

// Every registered preset, as configured by default at a tiny width (a new preset is walked
// the moment it registers). Popularity has nothing to train.
std::vector<ResumeCase> every_trainable_preset() {
  std::vector<ResumeCase> cases;
  for (const auto& name : model_registry().names()) {
    if (name != "popularity") cases.push_back(ResumeCase{"d = 8", name, "bce"});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(EveryPreset, TrainerResume, ::testing::ValuesIn(every_trainable_preset()),
                         [](const ::testing::TestParamInfo<ResumeCase>& info) {
                           return info.param.model_name;
                         });

}  // namespace
}  // namespace shiftrec
