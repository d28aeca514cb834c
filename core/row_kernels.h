// The loops that read a whole row of scores [n_items] — in evaluation counting the items at or
// above a target, finding the next block that can enter a top-k, a softmax's maximum and
// normaliser; in training the full softmax's rows (train/chunked_softmax.h) — compiled once per
// instruction set (core/instruction_set.h) with the widest the CPU supports chosen at run time.
// At 100 k items a row is 400 KB; these loops, scalar, were most of what full ranking added to
// its floor (bench/README.md).
#pragma once

#include <cstdint>
#include <string>

namespace shiftrec {

// Scores are read in blocks of this many; next_block_above returns block starts.
constexpr int64_t kRowBlock = 32;

// #(i in [0, n) with row[i] >= score); 0 for a NaN score.
int64_t count_at_least(const float* row, int64_t n, float score);

// #(i in [0, n) with row[i] >= score among the items gate lets through: gate[i] = +inf counts
// item i, NaN leaves it out (a float gate, not a byte mask, keeps the loop one vector compare
// per operand); 0 for a NaN score.
int64_t count_at_least_gated(const float* row, const float* gate, int64_t n, float score);

// The first b = begin + m * kRowBlock (m >= 0, b < n) whose block [b, min(b + kRowBlock, n))
// holds a score above `worst`; n when none does. NaN is above nothing.
int64_t next_block_above(const float* row, int64_t begin, int64_t n, float worst);

// The largest score of row[0, n), n >= 1 (NaN scores are passed over unless all are NaN).
float row_max(const float* row, int64_t n);

// sum over i in [0, n) of exp(row[i] - shift), accumulated in double: a softmax's normaliser.
// shift must be >= every score (row_max). exp is computed in float within 2 ulp of
// std::exp (range reduction and a degree-7 polynomial, tested), 0 for arguments below -87
// (a share under 1e-38 of the largest term) and for NaN.
double sum_exp(const float* row, int64_t n, float shift);
// The same over the items items[0, count) of the row only, with the same exponential.
double sum_exp_at(const float* row, const int32_t* items, int64_t count, float shift);

// row[i] = exp(row[i] - shift) for i in [0, n), in place, with sum_exp's exponential (shift >=
// every score); returns their sum, accumulated in double. A NaN or infinite score gives NaN
// there and in the sum (a diverged model is not hidden).
double exp_in_place(float* row, int64_t n, float shift);
// row[i] *= factor for i in [0, n).
void scale_in_place(float* row, int64_t n, float factor);

// The instruction set these loops run with ("baseline", "avx2", "avx512").
const char* row_kernel_isa();
// For tests and benchmarks: run them with `isa` from now on; false (nothing changed) when the
// name is unknown or this CPU lacks it.
bool use_row_kernel_isa(const std::string& isa);

}  // namespace shiftrec
