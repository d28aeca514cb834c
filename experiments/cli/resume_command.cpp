// shiftrec resume: continue a run that stopped before completing (DIR, DIR.partial or DIR.failed)
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/experiment.h"

namespace shiftrec {
namespace {

class ResumeCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--run", run_, "run directory")->required();
  }
  int run() override {
    resume_experiment(run_);
    return 0;
  }

 private:
  std::string run_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND(
    "resume", "continue a run that stopped before completing (DIR, DIR.partial or DIR.failed)",
    ResumeCommand);

}  // namespace shiftrec
