// A run directory's results.json, as eval, compare, leaderboard and export read it.
#include <string>

#include "experiments/run_results.h"
#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

int fuzz_run_results(const uint8_t* data, size_t size) {
  const std::string file = scratch_file("results.json", data, size);
  const std::string folder = file.substr(0, file.rfind('/'));
  return handled([&] { read_run_results(folder); });
}

}  // namespace shiftrec::fuzz

SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_run_results)
