// Data-parallel training over LibTorch's c10d process groups (Gloo), launched the way
// torchrun and Slurm launch PyTorch jobs: every process runs the same command with
//   RANK (0..WORLD_SIZE-1), WORLD_SIZE, MASTER_ADDR, MASTER_PORT
// in its environment. Every rank builds the same model from the same seed; an epoch's batches
// are dealt round-robin (rank r trains on batches r, r + W, ...; the last n mod W batches of
// an epoch are left out so every rank takes the same number of steps), and after each backward
// the gradients are averaged over the ranks, so every rank takes the same optimiser step and
// the parameters stay identical (checked at the end of training). Rank 0 validates, decides
// early stopping for all, and alone writes the run directory; with WORLD_SIZE = 1 (or unset)
// training is exactly the single-process one. Rank 0's training state (train_state.h) holds
// every rank's generators, so a stopped run resumes with the same WORLD_SIZE:
//   ... WORLD_SIZE=2 RANK=0 shiftrec resume --run DIR &  ... RANK=1 shiftrec resume --run DIR
// (rank 0 reads DIR and sends the others its config and state: they need no shared disk).
//
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=0 shiftrec train --config c.toml &
//   MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=1 shiftrec train --config c.toml
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace shiftrec {

class DataParallel {
 public:
  // Joins the group (blocks until every rank has joined). Throws UserError naming the variable
  // for a missing or malformed setting, or when this build has no process-group support.
  // `timeout`: how long to wait for the other ranks, to join or at any collective; meanwhile a
  // warning every 10 s names the ranks being waited for. A failed collective names the rank
  // that stopped (each rank posts a heartbeat to the group's store every second).
  DataParallel(int64_t rank, int64_t world_size, const std::string& master_addr,
               int64_t master_port, std::chrono::seconds timeout = std::chrono::seconds(300));
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // nullptr when WORLD_SIZE is unset or 1 (a single process).
  static std::unique_ptr<DataParallel> from_environment(
      std::chrono::seconds timeout = std::chrono::seconds(300));
  // WORLD_SIZE (1 when unset), without joining anything.
  static int64_t requested_world_size();

  int64_t rank() const { return rank_; }
  int64_t world_size() const { return world_size_; }

  // Replaces every gradient by its mean over the ranks (an undefined gradient counts as zeros),
  // in one collective.
  void average_gradients(const std::vector<at::Tensor>& parameters);
  // Sum over the ranks of each rank's `values` [n] float64 (CPU).
  at::Tensor sum(const at::Tensor& values);
  // Rank 0's `values` on every rank.
  at::Tensor from_rank0(const at::Tensor& values);
  // Rank 0's `bytes` on every rank (the others pass anything, e.g. "").
  std::string bytes_from_rank0(const std::string& bytes);
  // Every rank's `state` [n] uint8 (CPU; the same n on every rank), in rank order.
  std::vector<at::Tensor> gather_from_all(const at::Tensor& state);
  // Throws InternalError when some rank's parameters differ from rank 0's.
  void check_in_sync(const std::vector<at::Tensor>& parameters);

 private:
  struct Group;
  std::unique_ptr<Group> group_;
  int64_t rank_ = 0;
  int64_t world_size_ = 1;
  std::chrono::seconds timeout_{300};
};

}  // namespace shiftrec
