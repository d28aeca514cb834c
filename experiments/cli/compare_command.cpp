// shiftrec compare: paired comparison of two runs on the same targets: bootstrap interval and
// Wilcoxon p per metric, overall and per shift label
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/run_comparison.h"

namespace shiftrec {
namespace {

class CompareCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("run_a", options_.run_a, "run directory A")->required();
    command.add_option("run_b", options_.run_b, "run directory B")->required();
    command.add_option("--split", options_.split, "valid or test (default test)");
    command.add_option("--resamples", options_.resamples, "bootstrap resamples (default 1000)")
        ->check(CLI::Range(int64_t{10}, int64_t{1000000}));
    command.add_option("--json", options_.json_out, "also write the rows to this JSON file");
  }
  int run() override {
    const Comparison comparison = compare_runs(options_);
    std::cout << format_comparison(comparison, options_);
    return 0;
  }

 private:
  CompareOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("compare",
                          "paired comparison of two runs on the same targets: bootstrap interval "
                          "and Wilcoxon p per metric, overall and per shift label",
                          CompareCommand);

}  // namespace shiftrec
