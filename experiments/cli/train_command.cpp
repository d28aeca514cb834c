// shiftrec train: train a model and evaluate it into a run directory
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/experiment.h"

namespace shiftrec {
namespace {

class TrainCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--config", config_, "TOML experiment config")->required();
    command.add_option("--set", overrides_, "override a config key: --set model.d=64")->take_all();
    command.add_option("--out", out_, "run directory (default runs/<config>-<time>)");
  }
  int run() override {
    Config config = load_config(config_, overrides_);
    run_experiment(config, out_);
    return 0;
  }

 private:
  std::string config_, out_;
  std::vector<std::string> overrides_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("train", "train a model and evaluate it into a run directory",
                          TrainCommand);

}  // namespace shiftrec
