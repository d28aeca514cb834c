#include "core/row_kernels.h"

#include <cmath>
#include <limits>
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

// exp(x) for x <= 0 in float, written so the vectoriser can take it (no calls, no branches;
// -fno-trapping-math lets it turn the selects into blends): x = k ln2 + r with |r| <= ln2 / 2
// (ln2 in two parts, so k ln2 is exact), exp(r) by its Taylor polynomial to r^7 (truncation
// under 6e-9 relative), times 2^k set in the exponent bits; k found by rounding through the
// 1.5 * 2^23 trick. Below -87 (exp < 2^-125, near float's smallest normal) and for -inf or
// NaN: 0.
SHIFTREC_ALWAYS_INLINE float exp_nonpositive(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693145751953125f;  // 16 bits: k * it exact for |k| < 256
  constexpr float kLn2Low = 1.428606765330187e-06f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: x + it rounds x to an integer
  constexpr float kLowest = -87.0f;
  const float kept = x > kLowest ? 1.0f : 0.0f;  // NaN: 0
  const float y = x > kLowest ? x : kLowest;
  const float shifted = y * kLog2e + kRound;  // k in the low mantissa bits
  const float k = shifted - kRound;
  const float r = (y - k * kLn2High) - k * kLn2Low;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // 2^k: k + 127 in the exponent field (k >= -126 here).
  const int32_t k_int = __builtin_bit_cast(int32_t, shifted) - __builtin_bit_cast(int32_t, kRound);
  const float two_k = __builtin_bit_cast(float, (k_int + 127) << 23);
  return p * two_k * kept;
}

SHIFTREC_ALWAYS_INLINE float row_max_body(const float* row, int64_t n) {
  float best = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : best)  // lanes of maxima, combined at the end (-fopenmp-simd)
  for (int64_t i = 0; i < n; ++i) best = row[i] > best ? row[i] : best;
  // Every score NaN (or -inf): no maximum above -inf; NaN then, as a plain maximum would say.
  if (best == -std::numeric_limits<float>::infinity()) {
    for (int64_t j = 0; j < n; ++j) {
      if (std::isnan(row[j])) return row[j];
    }
  }
  return best;
}

SHIFTREC_ALWAYS_INLINE double sum_exp_body(const float* row, int64_t n, float shift) {
  // Each float exponential added in double (lanes of partial sums, combined at the end): the
  // total of a subset, summed apart, differs only by double rounding, so a row whose items are
  // all left out has a mass of 0, not float noise.
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) total += exp_nonpositive(row[i] - shift);
  return total;
}

SHIFTREC_ALWAYS_INLINE double sum_exp_at_body(const float* row, const int32_t* items, int64_t count,
                                              float shift) {
  double total = 0.0;
  for (int64_t j = 0; j < count; ++j) total += exp_nonpositive(row[items[j]] - shift);
  return total;
}

SHIFTREC_ALWAYS_INLINE double exp_in_place_body(float* row, int64_t n, float shift) {
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) {
    const float x = row[i] - shift;
    const float e = exp_nonpositive(x) + (x - x);  // x - x: 0, or NaN for a NaN or inf score
    row[i] = e;
    total += e;
  }
  return total;
}

SHIFTREC_ALWAYS_INLINE void scale_in_place_body(float* row, int64_t n, float factor) {
  for (int64_t i = 0; i < n; ++i) row[i] *= factor;
}

struct Kernels {
  int64_t (*count_at_least)(const float*, int64_t, float);
  int64_t (*count_at_least_gated)(const float*, const float*, int64_t, float);
  int64_t (*next_block_above)(const float*, int64_t, int64_t, float);
  float (*row_max)(const float*, int64_t);
  double (*sum_exp)(const float*, int64_t, float);
  double (*sum_exp_at)(const float*, const int32_t*, int64_t, float);
  double (*exp_in_place)(float*, int64_t, float);
  void (*scale_in_place)(float*, int64_t, float);
  InstructionSet set;
};

#define SHIFTREC_ROW_KERNELS(name, attributes, instruction_set)                                    \
  attributes int64_t count_at_least_##name(const float* row, int64_t n, float score) {             \
    return count_at_least_body(row, n, score);                                                     \
  }                                                                                                \
  attributes int64_t count_at_least_gated_##name(const float* row, const float* gate, int64_t n,   \
                                                 float score) {                                    \
    return count_at_least_gated_body(row, gate, n, score);                                         \
  }                                                                                                \
  attributes int64_t next_block_above_##name(const float* row, int64_t begin, int64_t n,           \
                                             float worst) {                                        \
    return next_block_above_body(row, begin, n, worst);                                            \
  }                                                                                                \
  attributes float row_max_##name(const float* row, int64_t n) { return row_max_body(row, n); }    \
  attributes double sum_exp_##name(const float* row, int64_t n, float shift) {                     \
    return sum_exp_body(row, n, shift);                                                            \
  }                                                                                                \
  attributes double sum_exp_at_##name(const float* row, const int32_t* items, int64_t count,       \
                                      float shift) {                                               \
    return sum_exp_at_body(row, items, count, shift);                                              \
  }                                                                                                \
  attributes double exp_in_place_##name(float* row, int64_t n, float shift) {                      \
    return exp_in_place_body(row, n, shift);                                                       \
  }                                                                                                \
  attributes void scale_in_place_##name(float* row, int64_t n, float factor) {                     \
    scale_in_place_body(row, n, factor);                                                           \
  }                                                                                                \
  constexpr Kernels kKernels_##name{count_at_least_##name,   count_at_least_gated_##name,          \
                                    next_block_above_##name, row_max_##name,                       \
                                    sum_exp_##name,          sum_exp_at_##name,                    \
                                    exp_in_place_##name,     scale_in_place_##name,                \
                                    instruction_set};

SHIFTREC_ROW_KERNELS(baseline, , InstructionSet::kBaseline)
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
SHIFTREC_ROW_KERNELS(avx2, SHIFTREC_TARGET_AVX2, InstructionSet::kAvx2)
SHIFTREC_ROW_KERNELS(avx512, SHIFTREC_TARGET_AVX512, InstructionSet::kAvx512)
#endif

Kernels kernels_for(InstructionSet set) {
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
  if (set == InstructionSet::kAvx512) return kKernels_avx512;
  if (set == InstructionSet::kAvx2) return kKernels_avx2;
#endif
  (void)set;
  return kKernels_baseline;
}

using Choice = KernelChoice<Kernels, kernels_for>;
Kernels& kernels() { return Choice::table(); }

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

float row_max(const float* row, int64_t n) { return kernels().row_max(row, n); }

double sum_exp(const float* row, int64_t n, float shift) {
  return kernels().sum_exp(row, n, shift);
}

double sum_exp_at(const float* row, const int32_t* items, int64_t count, float shift) {
  return kernels().sum_exp_at(row, items, count, shift);
}

double exp_in_place(float* row, int64_t n, float shift) {
  return kernels().exp_in_place(row, n, shift);
}

void scale_in_place(float* row, int64_t n, float factor) {
  kernels().scale_in_place(row, n, factor);
}

const char* row_kernel_isa() { return Choice::name(); }

bool use_row_kernel_isa(const std::string& isa) { return Choice::use(isa); }

}  // namespace shiftrec
