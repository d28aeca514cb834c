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

#include "experiments/plan.h"
#include "experiments/run_results.h"

namespace shiftrec {

struct EvalRunOptions {
  std::string run_dir;
  std::string split = "test";
  std::string dump_topk;  // empty: no dump
};

// Returns the metrics as "name value" lines. Throws UserError for a missing or incompatible
// run directory, an unknown split, or a model that does not load.
std::string evaluate_run(const EvalRunOptions& options);

// A finished run brought back: its plan rebuilt from resolved.toml (data from the cache),
// the best epoch's parameters loaded from model.pt, the model on its device in eval mode.
struct FinishedRun {
  Plan plan;
  RunResults results;  // results.json
};

// Throws UserError unless `run_dir` is a complete run (resolved.toml, results.json,
// model.pt) written with this run_format, or when the checkpoint does not load.
// (Readers that need no model — compare, leaderboard — use read_run_results.)
FinishedRun load_finished_run(const std::string& run_dir);

// The run's evaluator: its stored negatives (negatives.h5) under a sampled protocol, and
// checked against the candidates fingerprints in results.json.
Evaluator run_evaluator(const FinishedRun& run, const std::string& run_dir);

}  // namespace shiftrec
