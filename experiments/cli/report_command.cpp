// shiftrec report: one self-contained HTML page over finished runs (learning curves, per-label
// bars, shift-detection ROC curves, the leaderboard)
#include <CLI/CLI.hpp>

#include "core/log.h"
#include "core/text.h"
#include "experiments/cli/command.h"
#include "experiments/report.h"

namespace shiftrec {
namespace {

class ReportCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("runs", options_.runs, "run directories or sweep folders")->required();
    command.add_option("--out", options_.out, "the HTML file to write")->required();
    command.add_option("--split", options_.split, "valid or test (default test)");
    command.add_option("--metrics", metrics_,
                       "leaderboard metrics, comma-separated (default: the split's metrics)");
  }
  int run() override {
    if (!metrics_.empty()) options_.metrics = split(metrics_, ',');
    write_report(options_);
    log_info("report written to " + options_.out);
    return 0;
  }

 private:
  ReportOptions options_;
  std::string metrics_;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("report",
                          "one self-contained HTML page over finished runs: learning curves, "
                          "per-label bars, shift-detection ROC curves, the leaderboard",
                          ReportCommand);

}  // namespace shiftrec
