// shiftrec data fetch: download a public dataset (ml-100k, ml-1m, ml-20m, gowalla), check it,
// unpack it
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/data_fetch.h"

namespace shiftrec {
namespace {

class DataFetchCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("name", name_, "dataset name")->required();
    command.add_option("--to", to_, "folder to unpack into (as DIR/NAME)")->required();
    command.add_option("--catalog", options_.catalog_path,
                       "TOML catalog replacing the built-in one");
    command.add_flag("--accept-unverified", options_.accept_unverified,
                     "keep a download that has no published checksum");
  }
  int run() override {
    std::cout << fetch_dataset(name_, to_, options_) << "\n";
    return 0;
  }

 private:
  std::string name_, to_;
  FetchOptions options_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND(
    "data fetch",
    "download a public dataset (ml-100k, ml-1m, ml-20m, gowalla), check it, unpack it",
    DataFetchCommand);

}  // namespace shiftrec
