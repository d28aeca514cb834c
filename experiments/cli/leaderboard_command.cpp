// shiftrec leaderboard: finished runs grouped by configuration: mean ± sd over seeds per metric
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/atomic_file.h"
#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/leaderboard.h"

namespace shiftrec {
namespace {

class LeaderboardCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("runs", options_.runs, "run directories")->required();
    command.add_option("--split", options_.split, "valid or test (default test)");
    command
        .add_option("--metrics", options_.metrics,
                    "ndcg@10, SHIFT:recall@10, shift_roc_auc, seconds_per_epoch, ... "
                    "(default: every metric of the split)")
        ->delimiter(',');
    command.add_option("--json", json_, "also write the table as JSON to this file");
  }
  int run() override {
    const auto board = build_leaderboard(options_);
    if (!json_.empty()) write_file_atomically(json_, leaderboard_json(board));
    std::cout << format_leaderboard(board);
    return 0;
  }

 private:
  LeaderboardOptions options_;
  std::string json_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("leaderboard",
                          "finished runs grouped by configuration: mean ± sd over seeds per metric",
                          LeaderboardCommand);

}  // namespace shiftrec
