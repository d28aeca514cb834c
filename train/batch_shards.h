// Sharded training steps: one batch's sequences split into shards whose forward and backward
// passes run at the same time on their own threads, one LibTorch thread each, and whose
// gradients are summed in shard order — one optimiser step, the batch's, as without shards.
//
// Why: a SASRec step on a small batch is mostly per-operator work (bench/README.md, "Where
// the time goes"), which LibTorch's intra-op threads do not share out (its parallel loops
// split single operators, and with passive OpenMP waits two threads gain almost nothing on
// these sizes). Two shards run two operator streams side by side.
//
// What stays the same: the batch, the loss (each shard's sum over its supervised positions,
// divided by the batch's count) and so the gradient, up to float rounding. What differs: the
// random draws (dropout, masking, negatives) come from one generator per shard
// (core/thread_generator.h) seeded from the run's seed, the epoch, the batch and the shard,
// so a sharded run is reproducible but not draw-for-draw the unsharded one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shiftrec {

// `shards - 1` threads kept for the whole training; run() calls job(s) for every shard s,
// shard 0 on the calling thread, and returns when all are done (rethrowing the first
// exception a shard threw, after every shard has finished).
class ShardWorkers {
 public:
  explicit ShardWorkers(int64_t shards);
  ~ShardWorkers();
  ShardWorkers(const ShardWorkers&) = delete;
  ShardWorkers& operator=(const ShardWorkers&) = delete;

  int64_t shards() const { return static_cast<int64_t>(threads_.size()) + 1; }
  void run(const std::function<void(int64_t)>& job);

 private:
  void work(int64_t shard);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* job_ = nullptr;
  uint64_t generation_ = 0;  // run() calls so far: a worker runs each one once
  int64_t pending_ = 0;      // workers still running the current job
  bool stopping_ = false;
  std::vector<std::exception_ptr> errors_;  // by shard
};

}  // namespace shiftrec
