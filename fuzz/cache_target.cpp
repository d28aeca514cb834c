// The HDF5 data cache reader over a file of arbitrary bytes: a damaged cache must be a cache
// miss (nothing) or a store that passes validate(), never a crash. An input whose first byte
// is even is sealed with its own checksum, as if shiftrec had written it, so HDF5 parses it and
// the reader's own checks are fuzzed; odd ones test the seal, which production relies on.
#include <string>

#include "core/checksum.h"
#include "datasets/interactions_cache.h"
#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

int fuzz_cache(const uint8_t* data, size_t size) {
  const std::string file = scratch_file("key.h5", data, size);
  const std::string seal =
      size > 0 && data[0] % 2 == 0
          ? checksum_of(std::string(reinterpret_cast<const char*>(data), size)).hex() + "\n"
          : "unsealed\n";
  scratch_file("key.h5.sum", reinterpret_cast<const uint8_t*>(seal.data()), seal.size());
  const std::string folder = file.substr(0, file.rfind('/'));
  return handled([&] {
    if (auto loaded = load_cached(folder, "key")) loaded->validate();
  });
}

}  // namespace shiftrec::fuzz

SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_cache)
