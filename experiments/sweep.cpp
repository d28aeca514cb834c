#include "experiments/sweep.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <toml++/toml.h>

#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/text.h"
#include "experiments/experiment.h"
#include "experiments/leaderboard.h"
#include "experiments/plan.h"
#include "experiments/toml_text.h"
#include "train/data_parallel.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

// One --grid: per value, the overrides it applies and its part of the run name.
struct GridAxis {
  std::vector<std::vector<std::string>> assignments;  // "key=TOML value" per value
  std::vector<std::string> names;                     // "key=value" (strings unquoted)
};

// "key=value" for a run name, kept to one safe path component.
std::string name_part(const std::string& key, const toml::node& node) {
  std::string name = key + "=" + plain_text(node);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' &&
        c != '=') {
      c = '_';
    }
  }
  return name;
}

GridAxis parse_axis(const std::string& grid) {
  const auto equals = grid.find('=');
  const std::string usage =
      "--grid " + grid + ": expected key=[value, ...] or table=[{key = value, ...}, ...]";
  if (equals == std::string::npos || equals == 0) throw UserError(usage);
  const std::string key = grid.substr(0, equals);
  toml::table parsed;
  try {
    parsed = toml::parse("values = " + grid.substr(equals + 1));
  } catch (const toml::parse_error& e) {
    throw UserError(usage + " (" + std::string(e.description()) + ")");
  }
  const toml::array* values = parsed["values"].as_array();
  if (values == nullptr || values->empty()) throw UserError(usage);
  GridAxis axis;
  for (const auto& node : *values) {
    std::vector<std::string> assignments, names;
    if (const auto* table = node.as_table()) {  // a bundle: several keys of one table at once
      if (table->empty()) throw UserError(usage + " (an empty table)");
      for (const auto& [sub, value] : *table) {
        const std::string path = key + "." + std::string(sub.str());
        if (value.is_table()) throw UserError(usage + " (a table inside " + path + ")");
        assignments.push_back(path + "=" + toml_text(value));
        names.push_back(name_part(path, value));
      }
    } else {
      assignments.push_back(key + "=" + toml_text(node));
      names.push_back(name_part(key, node));
    }
    axis.assignments.push_back(std::move(assignments));
    axis.names.push_back(join(names, ","));
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
      for (size_t v = 0; v < axis.names.size(); ++v) {
        SweepRun more = run;
        more.name += (more.name.empty() ? "" : ",") + axis.names[v];
        more.assignments.insert(more.assignments.end(), axis.assignments[v].begin(),
                                axis.assignments[v].end());
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
  if (DataParallel::requested_world_size() > 1) {  // ranks would race on which runs are done
    throw UserError(
        "sweep runs one process per run; unset WORLD_SIZE (data-parallel runs are "
        "launched with `shiftrec train`, one command per rank)");
  }
  const std::vector<SweepRun> runs = plan_sweep(options);
  // Every variant's options are read (and its data loaded) before any run: a typo in the
  // grid ends the sweep before hours of runs, not after. Once per variant: its runs differ
  // only in the seed (the fastest-varying part of the plan), which no check depends on.
  const size_t runs_per_variant = std::max<size_t>(options.seeds.size(), 1);
  for (size_t i = 0; i < runs.size(); i += runs_per_variant) {
    Config config = run_config(options, runs[i]);
    try {
      read_plan(config);
    } catch (const UserError& e) {
      throw UserError("sweep run " + runs[i].name + ": " + e.what());
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
    throw UserError(std::to_string(failed.size()) + " of " + std::to_string(runs.size()) +
                    " sweep runs failed (" + join(failed) + "); what they wrote is in " +
                    options.out + "/<run>.failed\n" + table);
  }
  return table;
}

}  // namespace shiftrec
