// shiftrec benchmark: the published leaderboard — every plan's models over its seeds
// (resumable), then one Markdown board and a report page per plan
#include <iostream>

#include <CLI/CLI.hpp>

#include "experiments/benchmark.h"
#include "experiments/cli/command.h"

namespace shiftrec {
namespace {

class BenchmarkCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("plans", options_.plans, "plans, e.g. experiments/benchmarks/*.toml")
        ->required();
    command.add_option("--out", options_.out, "folder of the runs (default runs/benchmarks)");
    command.add_option("--board", options_.board,
                       "the Markdown board to write; a plan without complete runs here keeps its "
                       "section from the board it replaces");
    command.add_option("--report", options_.report, "folder for one report page per plan");
    command.add_option(
        "--note", options_.note,
        "a paragraph under the board's title (the machine, the conditions); without it, the "
        "note of the board it replaces stays");
    command.add_option("--models", options_.models, "only these model rows, e.g. sasrec,lightgcn")
        ->delimiter(',');
    command.add_option("--seeds", options_.seeds, "instead of the plans' seeds, e.g. 1")
        ->delimiter(',');
    command.add_option("--set", options_.overrides, "override a config key in every run")
        ->take_all();
    command.add_option("--jobs", options_.jobs, "runs at a time, each its own process")
        ->check(CLI::Range(1, 1024));
    command.add_flag("--board-only", options_.board_only,
                     "train nothing: the board of the runs already complete");
    command.add_flag("--check", options_.check_only,
                     "train nothing, write nothing: check every row's config (and its data)");
  }
  int run() override {
    std::cout << run_benchmarks(options_);
    return 0;
  }

 private:
  BenchmarkOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("benchmark",
                          "the published leaderboard: every plan's models over its seeds "
                          "(resumable), then a Markdown board and a report page per plan",
                          BenchmarkCommand);

}  // namespace shiftrec
