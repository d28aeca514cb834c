// `shiftrec benchmark PLAN.toml... --out runs/benchmarks --board docs/leaderboard.md`: the
// published leaderboard — every plan's models over its seeds, then one Markdown board (and,
// with --report, one report page) over all of them.
//
// A plan (experiments/benchmarks/*.toml) is one dataset's sweep:
//   name = "beauty"                          # the board's section and the runs' folder
//   config = "../configs/beauty_sasrec.toml" # relative to the plan: data, split, train, eval
//   seeds = [1, 2, 3]
//   metrics = ["ndcg@10", "SHIFT:recall@10", "shift_roc_auc"]  # optional: the board's columns
//   [models.sasrec]                          # a row
//   from_config = true                       # start from the config's own [model] table
//   model = { name = "sasrec" }              # keys set on it (or, without from_config, the
//                                            #   whole [model] table)
//   loss = { name = "ce" }                   # replaces [loss] (default: the config's)
//   set = ["train.batch_size = 1024"]        # any other override, as --set takes it
// Each model is one `sweep` over the seeds into OUT/<plan name>/<model>/seed=S: complete runs
// are skipped and stopped ones resumed, so the command continues where it was stopped. The
// board then has, per plan, the protocol (read from a run's resolved.toml), the commit and
// version of the binary, and the leaderboard of that plan's complete runs: the split's metrics,
// SHIFT's at the smallest cut-off (with target counts), the model's shift-detection ROC-AUC
// (or the plan's `metrics`), each baseline score's ROC-AUC beside the model's, and seconds
// per epoch. Unknown keys in a plan are errors naming the file and key; a model whose runs
// fail does not stop the others (the command then fails, naming them, after writing the
// board of what completed). The board shows every complete run of a plan here, whichever rows
// were run this time. Plans run over several sessions and machines whose runs folders are
// not kept: a board file being replaced keeps its sections and rows that have no complete
// run here (experiments/board_carry.h), so running one plan, or one row, adds it without
// dropping the others'.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

struct BenchmarkModel {
  std::string name;                    // the row's name in the plan
  std::vector<std::string> overrides;  // as --set takes them: its [model], [loss], set
};

struct BenchmarkPlan {
  std::string path;
  std::string name;
  std::string config_path;  // resolved against the plan's folder
  std::vector<int64_t> seeds;
  std::vector<std::string> metrics;    // the board's columns (empty: the leaderboard's default)
  std::vector<BenchmarkModel> models;  // in the plan's order
};

// Throws UserError naming the file (and key) of a plan that is not one.
BenchmarkPlan read_benchmark_plan(const std::string& path);

struct BenchmarkOptions {
  std::vector<std::string> plans;
  std::string out = "runs/benchmarks";
  std::string board;                   // Markdown file to write
  std::string report;                  // folder of the report pages ("" = none)
  std::string note;                    // a paragraph under the board's title (the machine...)
  std::vector<std::string> models;     // only these rows (empty: all)
  std::vector<int64_t> seeds;          // instead of the plans' (empty: theirs)
  std::vector<std::string> overrides;  // --set, every run
  int64_t jobs = 1;
  bool board_only = false;  // no runs: the board of what is complete
  bool check_only = false;  // no runs, no board: every row's config read and checked
};

// Runs what is missing, writes the board (and the report). Returns the board's text.
std::string run_benchmarks(const BenchmarkOptions& options);

}  // namespace shiftrec
