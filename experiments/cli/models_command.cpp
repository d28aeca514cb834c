// shiftrec models: list the registered models and the parts they are composed of
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/experiment.h"

namespace shiftrec {
namespace {

class ModelsCommand : public Command {
 public:
  void add_options(CLI::App& /*command*/) override {}
  int run() override {
    std::cout << describe_models();
    return 0;
  }
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("models", "list the registered models and the parts they are composed of",
                          ModelsCommand);

}  // namespace shiftrec
