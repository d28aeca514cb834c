#include "core/row_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "eval/fused_ranking.h"

namespace shiftrec {
namespace {

// Rows long enough for whole blocks and a ragged tail, scores from 16 values (ties across
// blocks), NaNs scattered (some at the start of a block, where a block maximum seeded from
// the first score would hide the rest), one to three targets per row.
struct Rows {
  at::Tensor scores;
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> targets;
};

Rows make_rows(int64_t rows, int64_t n) {
  std::mt19937 rng(7);
  Rows r;
  r.scores = at::empty({rows, n}, at::kFloat);
  float* data = r.scores.data_ptr<float>();
  for (int64_t q = 0; q < rows; ++q) {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t draw = rng();
      data[q * n + i] = draw % 97 == 0 ? std::nanf("") : static_cast<float>(draw % 16) / 4.0f;
    }
    data[q * n + 32 * (q % (n / 32))] = std::nanf("");
    for (uint32_t t = 0; t <= rng() % 3; ++t) r.targets.push_back(rng() % n);
    r.offsets.push_back(static_cast<int64_t>(r.targets.size()));
  }
  return r;
}

// The definitions, item by item: rank = #(items scored >= the target), 0 for a NaN target;
// top-k = the non-NaN items by score, ties to the lower id.
void expect_definition(const Rows& r, int64_t k, const std::vector<int64_t>& ranks,
                       const std::vector<int32_t>& top) {
  const int64_t n = r.scores.size(1);
  const float* data = r.scores.data_ptr<float>();
  for (int64_t q = 0; q + 1 < static_cast<int64_t>(r.offsets.size()); ++q) {
    const float* row = data + q * n;
    for (int64_t t = r.offsets[q]; t < r.offsets[q + 1]; ++t) {
      const float score = row[r.targets[t]];
      int64_t expected = 0;
      for (int64_t i = 0; i < n && !std::isnan(score); ++i) expected += row[i] >= score;
      ASSERT_EQ(ranks[t], expected) << "row " << q << " target " << r.targets[t];
    }
    std::vector<int32_t> order;
    for (int32_t i = 0; i < n; ++i)
      if (!std::isnan(row[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return row[a] > row[b]; });
    for (int64_t j = 0; j < k; ++j) ASSERT_EQ(top[q * k + j], order[j]) << "row " << q;
  }
}

// The full-ranking pass (ranks and top-k lists) through each instruction set's row loops.
TEST(RowKernels, FusedRankingFollowsTheDefinitionsInEveryInstructionSet) {
  const std::string chosen = row_kernel_isa();
  const Rows r = make_rows(40, 32 * 37 + 13);
  int tried = 0;
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_row_kernel_isa(isa)) continue;
    ++tried;
    SCOPED_TRACE(isa);
    for (int64_t k : {1, 10, 50}) {
      std::vector<int64_t> ranks(r.targets.size(), -1);
      std::vector<int32_t> top(static_cast<size_t>(40 * k), -1);
      fused_rank_top_k(r.scores, r.offsets, r.targets, k, ranks.data(), top.data());
      expect_definition(r, k, ranks, top);
    }
  }
  EXPECT_GE(tried, 1);
  EXPECT_FALSE(use_row_kernel_isa("sse9"));
  ASSERT_TRUE(use_row_kernel_isa(chosen));
}

// The gated count behind the SHIFT targets' ranks among outside items, at lengths around the
// vector widths.
TEST(RowKernels, MaskedCountFollowsItsDefinitionInEveryInstructionSet) {
  const std::string chosen = row_kernel_isa();
  std::mt19937 rng(3);
  std::vector<float> row(300);
  std::vector<float> gate(300);
  const float open = std::numeric_limits<float>::infinity(), shut = std::nanf("");
  for (size_t i = 0; i < row.size(); ++i) {
    row[i] = rng() % 11 == 0 ? std::nanf("") : static_cast<float>(rng() % 8);
    gate[i] = rng() % 3 == 0 ? shut : open;
  }
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_row_kernel_isa(isa)) continue;
    SCOPED_TRACE(isa);
    for (int64_t n : {0, 1, 7, 31, 32, 33, 64, 299, 300}) {
      for (float score : {-open, 0.0f, 3.0f, 7.0f, 9.0f}) {
        int64_t expected = 0, unmasked = 0;
        for (int64_t i = 0; i < n; ++i) {
          expected += gate[i] == open && row[i] >= score;
          unmasked += row[i] >= score;
        }
        EXPECT_EQ(count_at_least_gated(row.data(), gate.data(), n, score), expected) << n;
        EXPECT_EQ(count_at_least(row.data(), n, score), unmasked) << n;
      }
      EXPECT_EQ(count_at_least_gated(row.data(), gate.data(), n, std::nanf("")), 0);
    }
  }
  ASSERT_TRUE(use_row_kernel_isa(chosen));
}

// The softmax's parts: the maximum (NaN passed over), and the normaliser's exponentials within
// a few ulp of std::exp over the whole range a shifted score takes, 0 for -inf and below -87.
TEST(RowKernels, MaximumAndExponentialSumsFollowTheLibraryInEveryInstructionSet) {
  const std::string chosen = row_kernel_isa();
  std::vector<float> row;
  for (float x = -100.0f; x <= 0.0f; x += 0.0137f) row.push_back(x);
  row.push_back(0.0f);
  row.push_back(-std::numeric_limits<float>::infinity());
  std::vector<float> with_nan = row;
  with_nan[5] = with_nan[100] = std::nanf("");
  const int64_t n = static_cast<int64_t>(row.size());
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_row_kernel_isa(isa)) continue;
    SCOPED_TRACE(isa);
    EXPECT_EQ(row_max(row.data(), n), 0.0f);
    EXPECT_EQ(row_max(with_nan.data(), n), 0.0f);
    EXPECT_EQ(row_max(row.data(), 7), row[6]);
    const float all_nan[3] = {std::nanf(""), std::nanf(""), std::nanf("")};
    EXPECT_TRUE(std::isnan(row_max(all_nan, 3)));
    double expected_total = 0.0, worst_ulps = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double one = sum_exp(&row[i], 1, 0.0f);  // one term: the exponential itself
      const float reference = std::exp(row[i]);
      if (row[i] > -87.0f) {
        const double ulp = std::nextafter(reference, 1.0f) - reference;
        worst_ulps = std::max(worst_ulps, std::abs(one - reference) / ulp);
        expected_total += reference;
      } else {
        EXPECT_EQ(one, 0.0) << row[i];
      }
    }
    EXPECT_LE(worst_ulps, 2.0);
    EXPECT_NEAR(sum_exp(row.data(), n, 0.0f), expected_total, 1e-6 * expected_total);
    // Shifted: exp(x - shift) for scores in [0.9, 5].
    std::vector<float> raised(row.end() - 302, row.end() - 2);  // scores in [-4.1, 0]
    for (float& x : raised) x += 5.0f;
    double raised_total = 0.0;
    for (float x : raised) raised_total += std::exp(static_cast<double>(x) - 5.0);
    EXPECT_NEAR(sum_exp(raised.data(), 300, 5.0f), raised_total, 1e-6 * raised_total);
    // A subset's sum is the same terms: the whole row through sum_exp_at equals sum_exp up to
    // double rounding.
    std::vector<int32_t> every(300);
    std::iota(every.begin(), every.end(), 0);
    EXPECT_NEAR(sum_exp_at(raised.data(), every.data(), 300, 5.0f),
                sum_exp(raised.data(), 300, 5.0f), 1e-12);
  }
  ASSERT_TRUE(use_row_kernel_isa(chosen));
}

// The training softmax's row pass: exponentials written in place equal sum_exp's terms and sum
// to its total; a NaN or infinite score turns its entry and the sum to NaN (the loss must show
// a diverged model); scaling multiplies every entry, the row's tail included.
TEST(RowKernels, ExponentialsInPlaceAndScalingFollowTheirDefinitionsInEveryInstructionSet) {
  const std::string chosen = row_kernel_isa();
  std::vector<float> scores;
  for (float x = -9.0f; x <= 3.0f; x += 0.173f) scores.push_back(x);  // 70: not a lane multiple
  const int64_t n = static_cast<int64_t>(scores.size());
  const float shift = 3.0f;
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_row_kernel_isa(isa)) continue;
    SCOPED_TRACE(isa);
    std::vector<float> row = scores;
    const double total = exp_in_place(row.data(), n, shift);
    double expected_total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_EQ(static_cast<double>(row[i]), sum_exp(&scores[i], 1, shift)) << i;
      EXPECT_NEAR(row[i], std::exp(static_cast<double>(scores[i]) - shift), 2e-7);
      expected_total += row[i];
    }
    EXPECT_NEAR(total, expected_total, 1e-12 * expected_total);
    EXPECT_NEAR(total, sum_exp(scores.data(), n, shift), 1e-12 * expected_total);
    std::vector<float> scaled = row;
    scale_in_place(scaled.data(), n, 0.25f);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(scaled[i], row[i] * 0.25f) << i;
    for (float bad : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
      std::vector<float> broken = scores;
      broken[n - 1] = bad;  // in the scalar tail of a vector loop
      EXPECT_TRUE(std::isnan(exp_in_place(broken.data(), n, shift)));
      EXPECT_TRUE(std::isnan(broken[n - 1]));
      EXPECT_FALSE(std::isnan(broken[0]));
    }
  }
  ASSERT_TRUE(use_row_kernel_isa(chosen));
}

}  // namespace
}  // namespace shiftrec
