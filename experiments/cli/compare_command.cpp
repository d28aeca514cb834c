// shiftrec compare: paired comparison of two runs on the same targets: bootstrap interval and
// Wilcoxon p per metric, overall and per shift label
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "core/error.h"
#include "experiments/cli/command.h"
#include "experiments/run_comparison.h"

namespace shiftrec {
namespace {

class CompareCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command
        .add_option("runs", runs_,
                    "RUN_A RUN_B, or seed groups A1 A2 ... -- B1 B2 ... (options before --; a "
                    "sweep's runs: "
                    "DIR_A/* -- DIR_B/*)")
        ->required();
    command.add_flag("--holm", options_.holm, "add Holm-adjusted p-values over all the tests");
    command.add_option("--split", options_.split, "valid or test (default test)");
    command.add_option("--resamples", options_.resamples, "bootstrap resamples (default 1000)")
        ->check(CLI::Range(int64_t{10}, int64_t{1000000}));
    command.add_option("--json", options_.json_out, "also write the rows to this JSON file");
  }
  bool splits_at_separator() const override { return true; }
  void take_second_group(std::vector<std::string> words) override {
    options_.runs_b = std::move(words);
    grouped_ = true;
  }
  int run() override {
    if (grouped_) {
      options_.runs_a = runs_;
    } else if (runs_.size() == 2) {
      options_.runs_a = {runs_[0]};
      options_.runs_b = {runs_[1]};
    } else {
      throw UserError(
          "compare takes two runs (RUN_A RUN_B), or two seed groups separated by "
          "-- (A1 A2 ... -- B1 B2 ...); got " +
          std::to_string(runs_.size()) + " runs and no --");
    }
    const Comparison comparison = compare_runs(options_);
    std::cout << format_comparison(comparison, options_);
    return 0;
  }

 private:
  CompareOptions options_;
  std::vector<std::string> runs_;
  bool grouped_ = false;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("compare",
                          "paired comparison of two runs on the same targets: bootstrap interval "
                          "and Wilcoxon p per metric, overall and per shift label",
                          CompareCommand);

}  // namespace shiftrec
