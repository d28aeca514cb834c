// `shiftrec compare RUN_A RUN_B [--split test] [--holm]`: paired comparison of two finished
// runs on the same targets and candidates. Seed groups: `compare A1 A2 A3 -- B1 B2 B3` compares
// two configurations each run over several seeds: every run's per-query value is averaged
// over its group's runs first, and the paired tests run over those per-query means (so the
// unit stays the query; seeds reduce the noise of each side, they are not extra samples).
//
// For every rank metric both runs report, overall and per shift label: the two means, the
// mean difference B - A with a paired-bootstrap 95% interval, and the Wilcoxon signed-rank
// p-value, all over per-query values (a query = one user's targets sharing a history) read
// from each run's targets.tsv. Runs scored on different targets or candidates (results.json
// "candidates" differ: other data, split, protocol, negatives or masking) are refused. When
// the runs label shifts differently (other windows), per-label rows are left out, saying so.
// The output says how many tests it ran; --holm adds Holm-adjusted p-values over all of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

struct CompareOptions {
  std::vector<std::string> runs_a;  // one run, or a seed group
  std::vector<std::string> runs_b;
  std::string split = "test";
  int64_t resamples = 1000;
  uint64_t seed = 0;
  std::string json_out;  // optional: the rows as JSON
  bool holm = false;     // add Holm-adjusted p-values (family: every row)
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
  double p_holm = 1.0;   // Holm-adjusted over all rows (when asked for)
};

struct Comparison {
  std::vector<ComparisonRow> rows;
  std::vector<std::string> notes;  // e.g. why per-label rows are missing
};

// Throws UserError for a missing or incompatible run, an unknown split, an empty group, or
// runs that were not scored on the same targets and candidates.
Comparison compare_runs(const CompareOptions& options);
// The rows as an aligned text table, then the notes.
std::string format_comparison(const Comparison& comparison, const CompareOptions& options);

}  // namespace shiftrec
