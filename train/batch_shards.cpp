#include "train/batch_shards.h"

#include <ATen/Parallel.h>

#include "core/error.h"

namespace shiftrec {

ShardWorkers::ShardWorkers(int64_t shards) : errors_(static_cast<size_t>(shards)) {
  SHIFTREC_ASSERT(shards >= 1, "ShardWorkers: at least one shard");
  pending_ = shards - 1;
  for (int64_t s = 1; s < shards; ++s) threads_.emplace_back([this, s] { work(s); });
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return pending_ == 0; });  // every worker set up
}

ShardWorkers::~ShardWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void ShardWorkers::work(int64_t shard) {
  {
    // One LibTorch (OpenMP) thread on this worker: the shards are the parallelism. A thread's
    // count is initialised from the process's at its first parallel call, so that call comes
    // first (and the workers take turns: the setting also writes process-wide state).
    std::lock_guard<std::mutex> lock(mutex_);
    (void)at::get_num_threads();
    at::set_num_threads(1);
    if (--pending_ == 0) done_.notify_one();
  }
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int64_t)>* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      job = job_;
    }
    try {
      (*job)(shard);
    } catch (...) {
      errors_[static_cast<size_t>(shard)] = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

void ShardWorkers::run(const std::function<void(int64_t)>& job) {
  for (auto& error : errors_) error = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    pending_ = static_cast<int64_t>(threads_.size());
    ++generation_;
  }
  wake_.notify_all();
  try {
    job(0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }
  for (const auto& error : errors_) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace shiftrec
