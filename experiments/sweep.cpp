#include "experiments/sweep.h"

#include <cctype>
#include <filesystem>
#include <sstream>

#include <toml++/toml.h>

#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "experiments/experiment.h"
#include "experiments/leaderboard.h"
#include "experiments/plan.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

struct GridAxis {
  std::string key;
  std::vector<std::string> values;  // TOML value texts, for apply_override
  std::vector<std::string> labels;  // the same for run names (strings unquoted)
};

GridAxis parse_axis(const std::string& grid) {
  const auto equals = grid.find('=');
  const std::string usage = "--grid " + grid + ": expected key=[value, ...]";
  if (equals == std::string::npos || equals == 0) throw UserError(usage);
  GridAxis axis;
  axis.key = grid.substr(0, equals);
  toml::table parsed;
  try {
    parsed = toml::parse("values = " + grid.substr(equals + 1));
  } catch (const toml::parse_error& e) {
    throw UserError(usage + " (" + std::string(e.description()) + ")");
  }
  const toml::array* values = parsed["values"].as_array();
  if (values == nullptr || values->empty()) throw UserError(usage);
  for (const auto& node : *values) {
    std::ostringstream text, label;
    node.visit([&](const auto& value) { text << value; });
    if (const auto* s = node.as_string()) {
      label << s->get();
    } else {
      label << text.str();
    }
    axis.values.push_back(text.str());
    std::string name = label.str();
    for (char& c : name) {  // keep run names to one safe path component
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
    }
    axis.labels.push_back(name);
  }
  return axis;
}

Config run_config(const SweepOptions& options, const SweepRun& run) {
  Config config = Config::from_file(options.config_path);
  for (const auto& assignment : options.overrides) config.apply_override(assignment);
  for (const auto& assignment : run.assignments) config.apply_override(assignment);
  return config;
}

}  // namespace

std::vector<SweepRun> plan_sweep(const SweepOptions& options) {
  std::vector<GridAxis> axes;
  for (const auto& grid : options.grid) axes.push_back(parse_axis(grid));
  std::vector<SweepRun> runs = {SweepRun{}};
  for (const auto& axis : axes) {
    std::vector<SweepRun> next;
    for (const auto& run : runs) {
      for (size_t v = 0; v < axis.values.size(); ++v) {
        SweepRun more = run;
        more.name += (more.name.empty() ? "" : ",") + axis.key + "=" + axis.labels[v];
        more.assignments.push_back(axis.key + "=" + axis.values[v]);
        next.push_back(std::move(more));
      }
    }
    runs = std::move(next);
  }
  if (options.seeds.empty()) {
    for (auto& run : runs) {
      if (run.name.empty()) run.name = "run";
    }
    return runs;
  }
  std::vector<SweepRun> seeded;
  for (const auto& run : runs) {
    for (int64_t seed : options.seeds) {
      SweepRun more = run;
      more.name += (more.name.empty() ? "" : ",") + std::string("seed=") + std::to_string(seed);
      more.assignments.push_back("seed=" + std::to_string(seed));
      seeded.push_back(std::move(more));
    }
  }
  return seeded;
}

std::string run_sweep(const SweepOptions& options) {
  const std::vector<SweepRun> runs = plan_sweep(options);
  // Every variant's options are read (and its data loaded) before any run: a typo in the
  // grid ends the sweep before hours of runs, not after.
  for (const auto& run : runs) {
    Config config = run_config(options, run);
    try {
      read_plan(config);
    } catch (const UserError& e) {
      throw UserError("sweep run " + run.name + ": " + e.what());
    }
  }
  std::vector<std::string> complete, failed;
  for (size_t i = 0; i < runs.size(); ++i) {
    throw_if_interrupted();
    const std::string dir = options.out + "/" + runs[i].name;
    const std::string progress =
        "[" + std::to_string(i + 1) + "/" + std::to_string(runs.size()) + "] ";
    if (fs::exists(dir + "/results.json")) {
      log_info(progress + runs[i].name + ": complete, skipped");
      complete.push_back(dir);
      continue;
    }
    try {
      if (fs::exists(dir + ".partial") || fs::exists(dir + ".failed")) {
        log_info(progress + runs[i].name + ": stopped earlier, resuming");
        resume_experiment(dir);
      } else {
        log_info(progress + runs[i].name);
        Config config = run_config(options, runs[i]);
        run_experiment(config, dir);
      }
      complete.push_back(dir);
    } catch (const InternalError&) {
      throw;                             // a shiftrec bug: stop and report it
    } catch (const std::exception& e) {  // bad data for this variant, out of memory, ...
      if (interrupted()) throw;
      log_warn(runs[i].name + " failed: " + e.what());
      failed.push_back(runs[i].name);
    }
  }
  std::string table;
  if (!complete.empty()) {
    LeaderboardOptions board;
    board.runs = complete;
    board.metrics = options.metrics;
    table = format_leaderboard(build_leaderboard(board));
  }
  if (!failed.empty()) {
    std::string names;
    for (const auto& name : failed) names += (names.empty() ? "" : ", ") + name;
    throw UserError(std::to_string(failed.size()) + " of " + std::to_string(runs.size()) +
                    " sweep runs failed (" + names + "); what they wrote is in " + options.out +
                    "/<run>.failed\n" + table);
  }
  return table;
}

}  // namespace shiftrec
