#include "core/thread_generator.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace shiftrec {
namespace {

at::Generator& installed() {
  thread_local at::Generator generator;  // undefined until a scope installs one
  return generator;
}

}  // namespace

at::Tensor thread_rand(at::IntArrayRef sizes, const at::TensorOptions& options) {
  const at::Generator& generator = installed();
  return generator.defined() ? at::rand(sizes, generator, options) : at::rand(sizes, options);
}

at::Tensor thread_randint(int64_t low, int64_t high, at::IntArrayRef sizes,
                          const at::TensorOptions& options) {
  const at::Generator& generator = installed();
  return generator.defined() ? at::randint(low, high, sizes, generator, options)
                             : at::randint(low, high, sizes, options);
}

ScopedThreadGenerator::ScopedThreadGenerator(uint64_t seed) : previous_(installed()) {
  installed() = at::make_generator<at::CPUGeneratorImpl>(seed);
}

ScopedThreadGenerator::~ScopedThreadGenerator() { installed() = previous_; }

}  // namespace shiftrec
