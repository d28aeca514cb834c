// shiftrec data generate: write the synthetic set of a config as plain files (CSV) for other tools
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "core/log.h"
#include "datasets/synthetic.h"
#include "experiments/cli/command.h"

namespace shiftrec {
namespace {

class DataGenerateCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--config", config_, "TOML config with a [data.synthetic] table")
        ->required();
    command.add_option("--set", overrides_, "override a config key")->take_all();
    command.add_option("--out", out_, "output folder")->required();
  }
  int run() override {
    Config config = load_config(config_, overrides_);
    ConfigSection data = config.section("data");
    const std::string source = data.get_string("source", "synthetic", "data source");
    if (source != "synthetic") {
      data.fail("source",
                "data generate writes a synthetic set, and this config reads \"" + source + "\"");
    }
    auto options = SyntheticOptions::from_config(config.section("data").sub("synthetic"));
    save_synthetic(generate_synthetic(options), out_);
    log_info("synthetic data written to " + out_);
    return 0;
  }

 private:
  std::string config_, out_;
  std::vector<std::string> overrides_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND(
    "data generate", "write the synthetic set of a config as plain files (CSV) for other tools",
    DataGenerateCommand);

}  // namespace shiftrec
