// The generator LibTorch draws of training use on the calling thread (dropout masks, BERT4Rec's
// masking, uniform negatives). By default LibTorch's global CPU generator (seed_torch); a batch
// shard computed on its own thread (train/batch_shards.h) installs a generator of its own, so
// that concurrent shards draw reproducibly, whatever order the threads run in.
//   at::rand(sizes, thread_generator(), options)
#pragma once

#include <cstdint>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>

namespace shiftrec {

// The generator installed on this thread, or nullopt (LibTorch's default generator).
c10::optional<at::Generator> thread_generator();

// Installs a CPU generator seeded with `seed` on this thread for the scope's lifetime.
class ScopedThreadGenerator {
 public:
  explicit ScopedThreadGenerator(uint64_t seed);
  ~ScopedThreadGenerator();
  ScopedThreadGenerator(const ScopedThreadGenerator&) = delete;
  ScopedThreadGenerator& operator=(const ScopedThreadGenerator&) = delete;

 private:
  c10::optional<at::Generator> previous_;
};

}  // namespace shiftrec
