// The training loop: Adam over next-item batches, validation after every
// `eval_every` epochs, early stopping on one validation metric, best model kept; the loop's
// whole state saved every `checkpoint_every` epochs so a stopped run resumes exactly
// (train/train_state.h).
//
// The trainer knows no metric formula: it calls `validate`, which returns metrics by name,
// and reads `early_stop_metric` from them (higher is better).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "train/lr_schedule.h"
#include "train/mixed_precision.h"
#include "train/train_state.h"

namespace shiftrec {

class ConfigSection;
class DataParallel;
class Loss;
class Recommender;
struct Split;

// " name=value" for each metric, 4 decimals, for log lines.
std::string format_metrics(const std::map<std::string, double>& metrics);

struct TrainOptions {
  int64_t epochs = 200;
  int64_t batch_size = 128;
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.98;
  double weight_decay = 0.0;
  LrSchedule schedule;  // constant by default (train/lr_schedule.h)
  int64_t eval_every = 1;
  // > 0: every this many epochs the run also logs test metrics (a learning curve, as the
  // LightGCN paper plots; never used to select or stop). Read by the experiment, not here.
  int64_t test_curve_every = 0;
  int64_t patience = 5;  // validations without improvement before stopping
  std::string early_stop_metric = "ndcg@10";
  bool length_buckets = true;
  // > 1: each batch computed in this many shards at once, one thread each (train/batch_shards.h;
  // CPU, shardable models only). 1: one pass, LibTorch's own threads.
  int64_t shards = 1;
  // bf16: each batch's forward pass and loss under autocast (train/mixed_precision.h).
  Precision precision = Precision::kFloat32;
  // > 0: the training state is written after every this many epochs (and after the last);
  // 0: never (a stopped run then restarts from epoch 1 on resume).
  int64_t checkpoint_every = 1;
  uint64_t seed = 0;
  // Data-parallel runs: how long a rank waits for the others (to join, or at a collective)
  // before it gives up with an error naming them; it logs whom it waits for meanwhile.
  int64_t collective_timeout = 300;  // seconds

  static TrainOptions from_config(ConfigSection section, uint64_t run_seed);
};

struct EpochRecord {
  int64_t epoch = 0;        // 1-based
  double train_loss = 0.0;  // mean over batches
  double train_seconds = 0.0;
  double learning_rate = 0.0;                   // of the epoch's last step
  double valid_seconds = 0.0;                   // 0 when not validated this epoch
  std::map<std::string, double> valid_metrics;  // empty when not validated this epoch
  bool improved = false;
};

struct TrainResult {
  int64_t epochs_run = 0;
  int64_t best_epoch = 0;  // 0 when the model has no trainable parameters
  double best_value = 0.0;
  double train_seconds = 0.0;          // optimisation only, validation excluded
  std::vector<int64_t> resumed_after;  // epochs done at each resume of this run, oldest first
  std::vector<EpochRecord> history;
};

// Returns the validation metrics by name; an empty map means there is nothing to validate on
// (e.g. a given split without valid targets): no early stopping, the last epoch is kept.
using ValidateFn = std::function<std::map<std::string, double>()>;
using EpochCallback = std::function<void(const EpochRecord&)>;

// Trains `model` (already on `device`, fit_statistics already called) and leaves it holding
// the parameters of the best validated epoch. Throws UserError when the loss becomes NaN or
// infinite, naming the epoch.
//
// With `state.path` set, the loop's state is written there every options.checkpoint_every
// epochs; when the file already exists, training continues from it (the model, optimizer,
// generators and counters it holds) instead of from epoch 1. `history` then holds only the
// epochs run by this call; epochs_run, best_epoch and train_seconds count the whole run.
//
// With `parallel`, this process is one rank of data-parallel training (train/data_parallel.h):
// it trains on its share of each epoch's batches with gradients averaged over the ranks, and
// only rank 0 calls `validate`. Every rank saves and restores the state together: rank 0's
// `state.path` holds it for all (the others pass an empty path and the same fingerprint).
TrainResult train_model(Recommender& model, Loss& loss, const Split& split,
                        const TrainOptions& options, c10::Device device, const ValidateFn& validate,
                        const EpochCallback& on_epoch, const TrainStateFile& state = {},
                        DataParallel* parallel = nullptr);

}  // namespace shiftrec
