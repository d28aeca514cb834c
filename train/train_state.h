// A training run's resumable state: everything the training loop needs to continue exactly
// where it stopped, so that a run killed after epoch k and resumed ends with the same
// parameters, metrics and log as a run never stopped (same device and thread count).
//
// One LibTorch archive ("train_state.pt" in the run directory), written atomically after
// every train.checkpoint_every epochs:
//   model/       the current parameters and buffers
//   best/<i>     the kept (best validated) epoch's parameters and buffers, in snapshot order
//   optimizer/   Adam's moments and step counts
//   rng/...      the batch-order generator and LibTorch's CPU (and CUDA) generator states —
//                of every rank in a data-parallel run (rank 0 writes the file, the ranks'
//                generators gathered; the rest is the same on every rank)
//   progress     the counters below, the number of ranks, and the fingerprint of the config
//                and data it belongs to
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/seed.h"

namespace torch::optim {
class Optimizer;
}

namespace shiftrec {

class DataParallel;
class Recommender;

// The training loop's counters after `epochs_done` epochs.
struct TrainProgress {
  int64_t epochs_done = 0;
  int64_t best_epoch = 0;
  double best_value = -std::numeric_limits<double>::infinity();
  int64_t validations_without_improvement = 0;
  bool finished = false;               // early-stopped, or every epoch run
  double train_seconds = 0.0;          // optimisation time summed over every session of the run
  std::vector<int64_t> resumed_after;  // epochs_done at each earlier resume, oldest first
};

// What the state belongs to; a state written for another is refused on load.
struct TrainStateFile {
  std::string path;         // empty: the run writes and reads no state
  std::string fingerprint;  // e.g. config hash and data fingerprint
};

// The live objects the state is read into and written from.
struct TrainStateParts {
  Recommender& model;
  std::vector<at::Tensor>& best;  // snapshot of the kept epoch (trainer.cpp's order)
  torch::optim::Optimizer& optimizer;
  Rng& batch_rng;
  c10::Device device;
  DataParallel* parallel = nullptr;  // set: every rank calls save and restore together
};

// Writes the state (rank 0 only in a data-parallel run, after gathering every rank's
// generators; nothing when file.path is empty). Throws UserError naming the path when the
// folder is not writable.
void save_train_state(const TrainStateFile& file, const TrainProgress& progress,
                      TrainStateParts parts);

// Restores every part from file.path (in a data-parallel run: from rank 0's file, which it
// sends to every rank) and returns the progress; nothing when there is no state yet. Throws
// UserError naming the path when the file is unreadable, belongs to another config or data
// (fingerprint) or to another number of data-parallel ranks, or does not fit the model.
std::optional<TrainProgress> restore_train_state(const TrainStateFile& file, TrainStateParts parts);

// Only the counters (e.g. to trim a log to the stored epochs before training resumes).
TrainProgress read_train_progress(const TrainStateFile& file);

}  // namespace shiftrec
