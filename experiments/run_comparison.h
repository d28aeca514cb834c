// `shiftrec compare RUN_A RUN_B [--split test]`: paired comparison of two finished runs on
// the same targets and candidates.
//
// For every rank metric both runs report, overall and per shift label: the two means, the
// mean difference B - A with a paired-bootstrap 95% interval, and the Wilcoxon signed-rank
// p-value, all over per-query values (a query = one user's targets sharing a history) read
// from each run's targets.tsv. Runs scored on different targets or candidates (results.json
// "candidates" differ: other data, split, protocol, negatives or masking) are refused. When
// the runs label shifts differently (other windows), per-label rows are left out, saying so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

struct CompareOptions {
  std::string run_a;
  std::string run_b;
  std::string split = "test";
  int64_t resamples = 1000;
  uint64_t seed = 0;
  std::string json_out;  // optional: the rows as JSON
};

struct ComparisonRow {
  std::string metric;
  std::string group;  // "ALL" or a shift label
  int64_t queries = 0;
  double mean_a = 0.0;
  double mean_b = 0.0;
  double difference = 0.0;  // mean_b - mean_a
  double low = 0.0;         // 95% paired bootstrap interval of the difference
  double high = 0.0;
  double p_value = 1.0;  // Wilcoxon signed-rank, two-sided
};

struct Comparison {
  std::vector<ComparisonRow> rows;
  std::vector<std::string> notes;  // e.g. why per-label rows are missing
};

// Throws UserError for a missing or incompatible run, an unknown split, or runs that were
// not scored on the same targets and candidates.
Comparison compare_runs(const CompareOptions& options);
// The rows as an aligned text table, then the notes.
std::string format_comparison(const Comparison& comparison, const CompareOptions& options);

}  // namespace shiftrec
