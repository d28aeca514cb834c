// shiftrec options: list every option a config resolves to
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/experiment.h"

namespace shiftrec {
namespace {

class OptionsCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--config", config_, "TOML experiment config")->required();
    command.add_option("--set", overrides_, "override a config key")->take_all();
  }
  int run() override {
    Config config = load_config(config_, overrides_);
    std::cout << list_options(config);
    return 0;
  }

 private:
  std::string config_;
  std::vector<std::string> overrides_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("options", "list every option a config resolves to", OptionsCommand);

}  // namespace shiftrec
