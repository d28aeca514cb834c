// shiftrec sweep: run a config over a grid of option values and seeds, then print the leaderboard
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/sweep.h"

namespace shiftrec {
namespace {

class SweepCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--config", options_.config_path, "TOML experiment config")->required();
    command.add_option("--set", options_.overrides, "override a config key in every run")
        ->take_all();
    command.add_option("--grid", options_.grid, "key=[v1, v2, ...]: one run per value")->take_all();
    command.add_option("--seeds", options_.seeds, "run seeds, e.g. 1,2,3")->delimiter(',');
    command.add_option("--metrics", options_.metrics, "leaderboard metrics")->delimiter(',');
    command.add_option("--jobs", options_.jobs, "runs at a time, each its own process")
        ->check(CLI::Range(1, 1024));
    command.add_option("--out", options_.out, "folder of the run directories")->required();
  }
  int run() override {
    std::cout << run_sweep(options_);
    return 0;
  }

 private:
  SweepOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND(
    "sweep", "run a config over a grid of option values and seeds, then print the leaderboard",
    SweepCommand);

}  // namespace shiftrec
