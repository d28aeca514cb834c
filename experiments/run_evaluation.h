// `shiftrec eval --run DIR [--split test] [--dump-topk FILE]`: re-evaluates a finished run
// from its resolved.toml and model.pt, and optionally writes every target's top-k list.
//
// The dump is a TSV with a header line and one row per evaluated target:
//   split  user  target  rank  label  topk
// user and target are original ids, rank the 1-based pessimistic rank under the run's
// protocol, label the target's shift label ("-" without categories), topk the space-separated
// original item ids of the k best items (k = the largest configured k), best first.
#pragma once

#include <string>

namespace shiftrec {

struct EvalRunOptions {
  std::string run_dir;
  std::string split = "test";
  std::string dump_topk;  // empty: no dump
};

// Returns the metrics as "name value" lines. Throws UserError for a missing or incompatible
// run directory, an unknown split, or a model that does not load.
std::string evaluate_run(const EvalRunOptions& options);

// Throws UserError unless `run_dir` is a complete run (resolved.toml, results.json,
// model.pt) written with this run_format.
void check_run_directory(const std::string& run_dir);

// Format version written to results.json as "run_format"; eval refuses other versions.
constexpr int kRunFormat = 1;

}  // namespace shiftrec
