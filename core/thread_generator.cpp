#include "core/thread_generator.h"

#include <ATen/CPUGeneratorImpl.h>

namespace shiftrec {
namespace {

c10::optional<at::Generator>& installed() {
  thread_local c10::optional<at::Generator> generator;
  return generator;
}

}  // namespace

c10::optional<at::Generator> thread_generator() { return installed(); }

ScopedThreadGenerator::ScopedThreadGenerator(uint64_t seed) : previous_(installed()) {
  installed() = at::make_generator<at::CPUGeneratorImpl>(seed);
}

ScopedThreadGenerator::~ScopedThreadGenerator() { installed() = previous_; }

}  // namespace shiftrec
