// shiftrec export: write a run's user and item embeddings to HDF5
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/config.h"
#include "experiments/cli/command.h"
#include "experiments/run_export.h"

namespace shiftrec {
namespace {

class ExportCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--run", run_, "run directory")->required();
    command.add_option("--out", out_, "output .h5 file")->required();
  }
  int run() override {
    export_run(run_, out_);
    return 0;
  }

 private:
  std::string run_, out_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("export", "write a run's user and item embeddings to HDF5",
                          ExportCommand);

}  // namespace shiftrec
