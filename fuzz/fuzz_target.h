// Fuzz targets: each is a plain function over bytes, so the same code runs under libFuzzer
// (bench/fuzz.sh builds it with clang -fsanitize=fuzzer,address,undefined) and as an ordinary
// test that replays the corpus in fuzz/corpus/<target>/ (tests/fuzz/test_fuzz_replay.cpp).
//
// A target returns normally when shiftrec handled the input — accepted it, or refused it with
// the one UserError a user would see. Anything else is a finding: an InternalError (a broken
// invariant) or another exception aborts, and the sanitizers catch crashes, leaks and UB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/error.h"

namespace shiftrec::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);

// Runs `body`; a UserError (ConfigError included) is a handled input. Anything else aborts.
template <typename Body>
int handled(Body&& body) {
  try {
    body();
  } catch (const UserError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz finding: %s\n", e.what());
    std::abort();
  }
  return 0;
}

// A file the target can hand to a reader, in this process's own scratch folder (tmpfs when
// /dev/shm exists): written whole each call.
std::string scratch_file(const std::string& name, const uint8_t* data, size_t size);

}  // namespace shiftrec::fuzz

// Ends a target's file: `SHIFTREC_FUZZ_TARGET(fuzz_config)` defines LLVMFuzzerTestOneInput
// in a libFuzzer build.
#ifdef SHIFTREC_LIBFUZZER
#define SHIFTREC_FUZZ_TARGET(function)                                      \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return function(data, size);                                            \
  }
#else
#define SHIFTREC_FUZZ_TARGET(function)
#endif
