// shiftrec data stats: users, items, lengths, categories and shift-label shares of the test targets
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/data_stats.h"

namespace shiftrec {
namespace {

class DataStatsCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--config", config_, "TOML config with [data] (and [split])")->required();
    command.add_option("--set", overrides_, "override a config key")->take_all();
    command
        .add_option("--window", window_,
                    "window W of the shift labels (default: the config's eval.shift_window)")
        ->check(CLI::PositiveNumber);
  }
  int run() override {
    Config config = load_config(config_, overrides_);
    std::cout << dataset_stats(config, window_);
    return 0;
  }

 private:
  std::string config_;
  std::vector<std::string> overrides_;
  int64_t window_ = 0;  // 0: eval.shift_window
};

}  // namespace

SHIFTREC_REGISTER_COMMAND(
    "data stats", "users, items, lengths, categories and shift-label shares of the test targets",
    DataStatsCommand);

}  // namespace shiftrec
