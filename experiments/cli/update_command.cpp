// shiftrec update: continue a run's model on new interactions into a new run directory
#include <CLI/CLI.hpp>

#include "experiments/cli/command.h"
#include "experiments/experiment.h"

namespace shiftrec {
namespace {

class UpdateCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--run", options_.run, "a complete run directory (never modified)")
        ->required();
    command
        .add_option("--interactions", options_.interactions,
                    "new interactions, in the format of the run's data.path")
        ->required();
    command.add_option("--out", options_.out, "the new run directory")->required();
    command
        .add_option("--set", options_.overrides,
                    "override a training option of the run: --set train.learning_rate=1e-4")
        ->take_all();
    command.add_option("--epochs", options_.epochs,
                       "at most this many passes over the sequences of the users with new "
                       "interactions (default 2)");
    command.add_option("--replay", options_.replay,
                       "the share of the other users, drawn at random, whose sequences train "
                       "along (0 to 1; default 0)");
    command.add_flag("--new-targets-only", options_.new_targets_only,
                     "train on the new interactions as targets only: the updated users' old "
                     "interactions stay their histories, never targets again");
  }
  int run() override {
    update_experiment(options_);
    return 0;
  }

 private:
  UpdateOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("update",
                          "continue a run's model on new interactions into a new run directory",
                          UpdateCommand);

}  // namespace shiftrec
