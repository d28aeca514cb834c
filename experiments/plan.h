// An experiment's plan: every option of a config read and checked, the data loaded and
// split, the model and loss built — before anything is written. `train` runs a plan;
// `eval --run` and `export --run` rebuild the plan of a run from its resolved.toml.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <c10/core/Device.h>

#include "core/config.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "eval/evaluator.h"
#include "models/recommender.h"
#include "train/loss.h"
#include "train/trainer.h"

namespace shiftrec {

struct Plan {
  uint64_t seed = 0;
  c10::Device device{c10::kCPU};
  int64_t threads = 0;
  Dataset dataset;
  Split split;
  std::string model_name;
  std::shared_ptr<Recommender> model;
  std::string loss_name;
  std::unique_ptr<Loss> loss;
  TrainOptions train;
  EvalOptions eval;
  // Set by `shiftrec update` only: the users whose training prefixes training reads (those
  // with new interactions); empty = every user.
  std::vector<int32_t> train_users;
};

// Reads every option, loads and splits the data, builds model and loss, then rejects any
// key nothing read. Sets the log level, thread count and torch seed as a side effect.
// DataLoading::options_only builds it all over a stand-in store (datasets/dataset_loader.h):
// every option is read, the data need not exist.
Plan read_plan(Config& config, DataLoading loading = DataLoading::read);

// The scorer of full-ranking evaluation: the last position's state scored against all items
// (score_next: a head may reshape the ranking).
Scorer last_state_scorer(Recommender& model);
// The model's own probability that the next item is a shift, [B, L] -> [B]: empty when it has
// no shift head.
std::optional<Scorer> shift_head_scorer(Recommender& model);
// Every position's state scored against all items: [B, L] -> [B, L, n_items].
PositionScorer all_states_scorer(Recommender& model);

}  // namespace shiftrec
