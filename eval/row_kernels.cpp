#include "eval/row_kernels.h"

#include <optional>

#include "core/instruction_set.h"

namespace shiftrec {
namespace {

// The bodies: branch-free inner loops that GCC vectorises at -O3 (this file's setting), in
// whichever instruction set the function they are inlined into targets.

SHIFTREC_ALWAYS_INLINE int64_t count_at_least_body(const float* row, int64_t n, float score) {
  int32_t count = 0;  // n fits: item ids are int32
  for (int64_t i = 0; i < n; ++i) count += row[i] >= score ? 1 : 0;
  return count;
}

SHIFTREC_ALWAYS_INLINE int64_t count_at_least_gated_body(const float* row, const float* gate,
                                                         int64_t n, float score) {
  int32_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += (row[i] >= score ? 1 : 0) & (gate[i] >= score ? 1 : 0);
  return count;
}

SHIFTREC_ALWAYS_INLINE int64_t next_block_above_body(const float* row, int64_t begin, int64_t n,
                                                     float worst) {
  int64_t b = begin;
  for (; b + kRowBlock <= n; b += kRowBlock) {
    int hit = 0;
    for (int64_t j = 0; j < kRowBlock; ++j) hit |= row[b + j] > worst ? 1 : 0;
    if (hit != 0) return b;
  }
  for (int64_t j = b; j < n; ++j) {
    if (row[j] > worst) return b;
  }
  return n;
}

struct Kernels {
  int64_t (*count_at_least)(const float*, int64_t, float);
  int64_t (*count_at_least_gated)(const float*, const float*, int64_t, float);
  int64_t (*next_block_above)(const float*, int64_t, int64_t, float);
};

#define SHIFTREC_ROW_KERNELS(name, attributes)                                                   \
  attributes int64_t count_at_least_##name(const float* row, int64_t n, float score) {           \
    return count_at_least_body(row, n, score);                                                   \
  }                                                                                              \
  attributes int64_t count_at_least_gated_##name(const float* row, const float* gate, int64_t n, \
                                                 float score) {                                  \
    return count_at_least_gated_body(row, gate, n, score);                                       \
  }                                                                                              \
  attributes int64_t next_block_above_##name(const float* row, int64_t begin, int64_t n,         \
                                             float worst) {                                      \
    return next_block_above_body(row, begin, n, worst);                                          \
  }                                                                                              \
  constexpr Kernels kKernels_##name{count_at_least_##name, count_at_least_gated_##name,          \
                                    next_block_above_##name};

SHIFTREC_ROW_KERNELS(baseline, )
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
SHIFTREC_ROW_KERNELS(avx2, SHIFTREC_TARGET_AVX2)
SHIFTREC_ROW_KERNELS(avx512, SHIFTREC_TARGET_AVX512)
#endif

Kernels kernels_for(InstructionSet set) {
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
  if (set == InstructionSet::kAvx512) return kKernels_avx512;
  if (set == InstructionSet::kAvx2) return kKernels_avx2;
#endif
  (void)set;
  return kKernels_baseline;
}

InstructionSet& chosen_set() {
  static InstructionSet set = best_instruction_set();
  return set;
}

Kernels& kernels() {
  static Kernels chosen = kernels_for(chosen_set());
  return chosen;
}

}  // namespace

int64_t count_at_least(const float* row, int64_t n, float score) {
  return kernels().count_at_least(row, n, score);
}

int64_t count_at_least_gated(const float* row, const float* gate, int64_t n, float score) {
  return kernels().count_at_least_gated(row, gate, n, score);
}

int64_t next_block_above(const float* row, int64_t begin, int64_t n, float worst) {
  return kernels().next_block_above(row, begin, n, worst);
}

const char* row_kernel_isa() { return instruction_set_name(chosen_set()); }

bool use_row_kernel_isa(const std::string& isa) {
  const std::optional<InstructionSet> set = parse_instruction_set(isa);
  if (!set || *set > best_instruction_set()) return false;  // unknown, or beyond this CPU
  chosen_set() = *set;
  kernels() = kernels_for(*set);
  return true;
}

}  // namespace shiftrec
