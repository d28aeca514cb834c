// Explicit seeding. Every random source in shiftrec derives from one run seed:
//   * our own generators are `Rng` objects made from derive_seed(run_seed, "purpose"),
//   * LibTorch's default CPU/CUDA generators (dropout, torch::randint) are seeded by
//     seed_torch(run_seed).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace shiftrec {

using Rng = std::mt19937_64;

// A seed for one purpose ("synthetic", "negatives", ...), independent across purposes and
// stable across platforms (FNV-1a of the purpose mixed with SplitMix64).
uint64_t derive_seed(uint64_t run_seed, const std::string& purpose, uint64_t index = 0);

// Seeds LibTorch's global generators (CPU and, when present, CUDA).
void seed_torch(uint64_t seed);

// Uniform double in [0, 1) from an Rng, identical on every platform (unlike
// std::uniform_real_distribution, whose algorithm is implementation-defined).
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform integer in [0, n), platform-stable. n must be > 0.
inline uint64_t uniform_index(Rng& rng, uint64_t n) {
  return static_cast<uint64_t>(uniform01(rng) * static_cast<double>(n)) % n;
}

}  // namespace shiftrec
