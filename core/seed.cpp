#include "core/seed.h"

#include <ATen/Context.h>

namespace shiftrec {

uint64_t derive_seed(uint64_t run_seed, const std::string& purpose, uint64_t index) {
  uint64_t x = run_seed ^ 0x9E3779B97F4A7C15ull;
  uint64_t purpose_hash = 14695981039346656037ull;
  for (unsigned char c : purpose) {
    purpose_hash ^= c;
    purpose_hash *= 1099511628211ull;
  }
  x ^= purpose_hash + 0x632BE59BD9B4E019ull * (index + 1);
  // SplitMix64 finaliser.
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// at::manual_seed seeds the CPU generator and every CUDA device's generator.
void seed_torch(uint64_t seed) { at::manual_seed(seed); }

}  // namespace shiftrec
