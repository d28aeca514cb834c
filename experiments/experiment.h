// One training run, from a resolved Config to a run directory:
//   read every option (so config errors come before any heavy work or any file) ->
//   load data -> split -> build model and loss -> check no key is left unread ->
//   create the run directory -> train with early stopping -> evaluate valid and test ->
//   write results.json -> move the directory to its final name.
//
// Run directory: resolved.toml, metrics.jsonl (one JSON line per epoch), results.json;
// while the run is in progress also train_state.pt (train/train_state.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config.h"

namespace shiftrec {

struct ExperimentResult {
  std::string run_path;
  std::string model;
  int64_t best_epoch = 0;
  int64_t epochs_run = 0;
  std::map<std::string, std::map<std::string, double>> metrics;  // split -> name -> value
};

// `out` empty: runs/<config stem>-<timestamp>.
ExperimentResult run_experiment(Config& config, const std::string& out);

// Continues a run that stopped before completing (killed, interrupted, or failed), given its
// path, <path>.partial or <path>.failed: the plan is rebuilt from its resolved.toml, training
// continues from its last training state (train.checkpoint_every), and the run completes under
// <path> as if it had never stopped — the same metrics and metrics.jsonl on the same device and
// thread count. results.json lists the epochs it was resumed after.
ExperimentResult resume_experiment(const std::string& path);

struct UpdateOptions {
  std::string run;           // a complete run directory; never modified
  std::string interactions;  // new interactions, in the format of the run's data.path
  std::string out;           // the new run directory
  int64_t epochs = 2;        // at most this many passes over the updated users' sequences
  // The share of the other users, drawn at random (the run's seed), whose sequences train along
  // the updated users' (replay: the update also sees what the run knew); 0 = none, 1 = all.
  double replay = 0.0;
  // Train on the new interactions as targets only: the updated users' old interactions are
  // inputs (their histories), never targets again (replayed users train as before).
  bool new_targets_only = false;
  // "train.key=value" overrides of the run's training options (learning rate, batch size,
  // patience); other sections would describe another model or other data and are refused.
  std::vector<std::string> overrides;
};

// Continues a complete run's model on new interactions (new users and items included) and
// writes a complete new run: the run's config with the file appended to data.updates
// (datasets/dataset_loader.h), the model grown to the new users and items
// (models/model_growth.h), trained for at most `epochs` passes over the sequences of the users
// with new interactions — early stopping on the run's validation metric as in training — then
// evaluated on the updated data's split. Every check (a run that is not complete, a file that
// is not in the run's format or older than its data, an output that exists) comes before
// anything is written. `update.json` in the new run records where it came from; such a run
// does not `resume` (update again instead).
ExperimentResult update_experiment(const UpdateOptions& options);

// Resolves the config as `train` would (loading the data, since model options may depend
// on it) and lists every option: "path = value  # description (default ...)". Writes nothing.
std::string list_options(Config& config);

// "name: description" lines of every registered model, sorted by name.
std::string describe_models();

}  // namespace shiftrec
