// The shiftrec command line.
//
//   shiftrec train --config FILE [--set key=value ...] [--out DIR]
//   shiftrec resume --run DIR
//   shiftrec sweep --config FILE [--set ...] [--grid KEY=VALUES ...] [--seeds 1,2,3] [--jobs N]
//     --out DIR
//   shiftrec leaderboard RUN... [--split test] [--metrics ndcg@10,SHIFT:recall@10]
//   shiftrec models
//   shiftrec eval --run DIR [--split test] [--dump-topk FILE]
//   shiftrec compare RUN_A RUN_B [--split test] [--resamples 1000] [--json FILE]
//   shiftrec export --run DIR --out FILE.h5
//   shiftrec update --run DIR --interactions FILE --out DIR2 [--epochs N]
//   shiftrec options --config FILE [--set key=value ...]
//   shiftrec data generate --config FILE [--set key=value ...] --out DIR
//   shiftrec data stats --config FILE [--set key=value ...] [--window W]
//   shiftrec data fetch NAME --to DIR [--catalog FILE] [--accept-unverified]
//
// Each command is a file of experiments/cli/; this file only dispatches. Every user mistake
// ends here as one line on stderr and exit status 1; a shiftrec bug (InternalError) exits
// with status 2.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include "core/allocator.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/openmp_waits.h"
#include "core/text.h"
#include "core/version.h"
#include "experiments/cli/command.h"

namespace {

// Descriptions of the command groups ("data stats" is `stats` in the group `data`).
const std::map<std::string, std::string> kGroups = {{"data", "dataset tools"}};

// A command word that names no command: one line with the nearest one, instead of CLI11's
// generic complaint. `prefix` is the group already named ("" or "data ").
void reject_unknown_command(int argc, char** argv, int at = 1, const std::string& prefix = "") {
  if (argc <= at || argv[at][0] == '-') return;
  const std::string word = argv[at];
  std::vector<std::string> known;
  for (const auto& [name, entry] : shiftrec::command_registry().entries()) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    known.push_back(rest.substr(0, rest.find(' ')));
  }
  if (std::find(known.begin(), known.end(), word) != known.end()) {
    if (kGroups.count(word)) reject_unknown_command(argc, argv, at + 1, prefix + word + " ");
    return;
  }
  std::string message = "unknown command \"" + prefix + word + "\"";
  const std::string nearest = shiftrec::nearest_name(word, known);
  if (!nearest.empty()) message += " (did you mean \"" + prefix + nearest + "\"?)";
  throw shiftrec::UserError(message + "; shiftrec " + prefix + "--help lists them");
}

int run(int argc, char** argv) {
  CLI::App app{"shiftrec: next-item and interest-shift recommendation on LibTorch"};
  app.set_version_flag("--version", std::string("shiftrec ") + shiftrec::shiftrec_version() +
                                        " (commit " + shiftrec::shiftrec_git_commit() + ")");
  app.require_subcommand(1);
  std::map<std::string, CLI::App*> groups;
  std::vector<std::pair<CLI::App*, std::unique_ptr<shiftrec::Command>>> commands;
  for (const auto& [name, entry] : shiftrec::command_registry().entries()) {
    CLI::App* parent = &app;
    const auto space = name.find(' ');
    if (space != std::string::npos) {
      const std::string group = name.substr(0, space);
      CLI::App*& made = groups[group];
      if (made == nullptr) {
        made = app.add_subcommand(group, kGroups.count(group) ? kGroups.at(group) : group);
        made->require_subcommand(1);
      }
      parent = made;
    }
    CLI::App* sub = parent->add_subcommand(name.substr(space == std::string::npos ? 0 : space + 1),
                                           entry.description);
    commands.emplace_back(sub, entry.factory());
    commands.back().second->add_options(*sub);
  }
  reject_unknown_command(argc, argv);
  for (auto& [sub, command] : commands) {
    if (argc < 2 || sub->get_name() != argv[1] || !command->splits_at_separator()) continue;
    for (int i = 2; i < argc; ++i) {
      if (std::string(argv[i]) != "--") continue;
      command->take_second_group(std::vector<std::string>(argv + i + 1, argv + argc));
      argc = i;
      break;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, command] : commands) {
    if (sub->parsed()) return command->run();
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  shiftrec::restart_with_passive_openmp_waits(argv);
  shiftrec::retain_freed_memory();
  shiftrec::install_interrupt_handlers();
  try {
    return run(argc, argv);
  } catch (const shiftrec::UserError& e) {
    // Sources cut the values they echo; this bounds whatever one missed.
    const std::string message = e.what();
    std::fprintf(stderr, "shiftrec: error: %s\n",
                 message.size() <= 2000
                     ? message.c_str()
                     : (message.substr(0, 2000) + "... (" + std::to_string(message.size() - 2000) +
                        " more characters)")
                           .c_str());
    return 1;
  } catch (const shiftrec::InternalError& e) {
    std::fprintf(stderr, "shiftrec: %s (please report this bug)\n", e.what());
    return 2;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "shiftrec: error: %s\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shiftrec: error: %s\n", e.what());
    return 1;
  }
}
