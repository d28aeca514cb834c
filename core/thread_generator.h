// The random draws of training (dropout masks, BERT4Rec's masking, uniform negatives) come from
// the calling thread's generator: LibTorch's global CPU generator by default (seed_torch); a
// batch shard computed on its own thread (train/batch_shards.h) installs a generator of its
// own, so that concurrent shards draw reproducibly, whatever order the threads run in.
#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace shiftrec {

// at::rand(sizes, options) — uniform in [0, 1) — from this thread's generator.
at::Tensor thread_rand(at::IntArrayRef sizes, const at::TensorOptions& options);
// at::randint(low, high, sizes, options) — integers in [low, high) — likewise.
at::Tensor thread_randint(int64_t low, int64_t high, at::IntArrayRef sizes,
                          const at::TensorOptions& options);

// Installs a CPU generator seeded with `seed` on this thread for the scope's lifetime.
class ScopedThreadGenerator {
 public:
  explicit ScopedThreadGenerator(uint64_t seed);
  ~ScopedThreadGenerator();
  ScopedThreadGenerator(const ScopedThreadGenerator&) = delete;
  ScopedThreadGenerator& operator=(const ScopedThreadGenerator&) = delete;

 private:
  at::Generator previous_;  // undefined: the global generator
};

}  // namespace shiftrec
