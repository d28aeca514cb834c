// shiftrec eval: re-evaluate a finished run; optionally dump top-k lists
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/run_evaluation.h"

namespace shiftrec {
namespace {

class EvalCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--run", options_.run_dir, "run directory")->required();
    command.add_option("--split", options_.split, "valid or test (default test)");
    command.add_option("--dump-topk", options_.dump_topk,
                       "TSV of every target: split, user, target, rank, label, topk");
  }
  int run() override {
    std::cout << evaluate_run(options_);
    return 0;
  }

 private:
  EvalRunOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("eval", "re-evaluate a finished run; optionally dump top-k lists",
                          EvalCommand);

}  // namespace shiftrec
