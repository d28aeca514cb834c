// `shiftrec sweep`: one config run over a grid of option values and seeds, each run in its
// own run directory under one folder, then the leaderboard of the runs (leaderboard.h).
//
//   shiftrec sweep --config quickstart.toml --grid 'model.name=["sasrec", "graph_sasrec"]'
//       --grid 'model.layers=[1, 2]' --seeds 1,2,3 --out runs/ablation
//
// runs every combination (here 2 x 2 x 3 = 12 runs) into runs/ablation/<k=v,...,seed=s>/.
// A grid is a TOML array of values for one key, or of inline tables for one table — each
// table a bundle of keys set together (named in key order), for ablation rows that are no
// product:
//   --grid 'model=[{name = "sasrec"}, {name = "shift_sasrec", shift_head = true}]'
// Precedence: config < --set < grid < seed. Every variant's config is checked before the first run
// starts. Running the same sweep again skips the runs that completed and resumes the ones that
// stopped (`resume`), so a killed sweep continues where it was. One run failing does not stop the
// others; the sweep then ends with an error listing the failed runs. Runs go one after another
// in this process, or with --jobs N up to N at a time, each a `shiftrec train`/`resume` child
// process with the config's `threads` (jobs x threads should not exceed the cores; the sweep
// warns when it does). A child's console output is dropped except a failed run's error line;
// its run directory keeps its log (log.txt, at info level) with what it measured.
// SIGINT/SIGTERM to the sweep stops the running children cleanly (each keeps its training
// state for the next sweep to resume).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

struct SweepOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // "--set" assignments, applied to every run
  std::vector<std::string> grid;       // "key=[v1, v2, ...]"
  std::vector<int64_t> seeds;          // empty: the config's seed only
  std::string out;                     // folder of the run directories
  std::vector<std::string> metrics;    // the leaderboard's (empty: every metric)
  int64_t jobs = 1;                    // runs at a time (> 1: child processes)
};

struct SweepRun {
  std::string name;                      // "model.name=sasrec,seed=1"
  std::vector<std::string> assignments;  // the grid and seed overrides of this run
};

// The runs of a sweep, in order (the grid's first key varies slowest, seeds fastest).
// Throws UserError naming the --grid that is not "key=[values]".
std::vector<SweepRun> plan_sweep(const SweepOptions& options);

// Runs (or skips, or resumes) every run and returns the leaderboard as Markdown.
std::string run_sweep(const SweepOptions& options);

}  // namespace shiftrec
