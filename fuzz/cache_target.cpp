// The HDF5 data cache reader over a file of arbitrary bytes: a damaged cache must be a cache
// miss (nothing) or a store that passes validate(), never a crash.
#include <string>

#include "datasets/interactions_cache.h"
#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

int fuzz_cache(const uint8_t* data, size_t size) {
  const std::string file = scratch_file("key.h5", data, size);
  const std::string folder = file.substr(0, file.rfind('/'));
  return handled([&] {
    if (auto loaded = load_cached(folder, "key")) loaded->validate();
  });
}

}  // namespace shiftrec::fuzz

SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_cache)
