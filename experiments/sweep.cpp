#include "experiments/sweep.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include <toml++/toml.h>

#include "core/child_process.h"
#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/progress.h"
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

std::string run_path(const SweepOptions& options, const SweepRun& run) {
  return options.out + "/" + run.name;
}

enum class RunOutcome { kComplete, kFailed };
enum class RunStep { kSkip, kResume, kStart };

// The runs this sweep trained to the end and the time since it started: the time left.
struct SweepClock {
  double started = seconds_since_start();
  int64_t trained = 0;

  // Before run `index` of `total`, at `jobs` runs at a time (core/progress.h).
  std::string before(size_t index, size_t total, int64_t jobs) const {
    if (trained == 0) return "";
    return " (" +
           time_left_text(trained, seconds_since_start() - started,
                          static_cast<int64_t>(total - index), jobs) +
           ")";
  }
};

// What run `index` needs, logged with its place in the sweep and the time left.
RunStep next_step(const SweepOptions& options, const std::vector<SweepRun>& runs, size_t index,
                  const SweepClock& clock) {
  const std::string dir = run_path(options, runs[index]);
  const std::string progress = "[" + std::to_string(index + 1) + "/" + std::to_string(runs.size()) +
                               "] " + runs[index].name +
                               clock.before(index, runs.size(), options.jobs);
  if (fs::exists(dir + "/results.json")) {
    log_info(progress + ": complete, skipped");
    return RunStep::kSkip;
  }
  if (fs::exists(dir + ".partial") || fs::exists(dir + ".failed")) {
    log_info(progress + ": stopped earlier, resuming");
    return RunStep::kResume;
  }
  log_info(progress);
  return RunStep::kStart;
}

// One run after another in this process.
std::vector<RunOutcome> run_in_this_process(const SweepOptions& options,
                                            const std::vector<SweepRun>& runs) {
  std::vector<RunOutcome> outcomes;
  SweepClock clock;
  for (size_t i = 0; i < runs.size(); ++i) {
    throw_if_interrupted();
    const RunStep step = next_step(options, runs, i, clock);
    try {
      if (step == RunStep::kResume) {
        resume_experiment(run_path(options, runs[i]));
      } else if (step == RunStep::kStart) {
        Config config = run_config(options, runs[i]);
        run_experiment(config, run_path(options, runs[i]));
      }
      if (step != RunStep::kSkip) ++clock.trained;
      outcomes.push_back(RunOutcome::kComplete);
    } catch (const InternalError&) {
      throw;                             // a shiftrec bug: stop and report it
    } catch (const std::exception& e) {  // bad data for this variant, out of memory, ...
      if (interrupted()) throw;
      log_warn(runs[i].name + " failed: " + e.what());
      outcomes.push_back(RunOutcome::kFailed);
    }
  }
  return outcomes;
}

// `shiftrec train` / `shiftrec resume` arguments for run `run`.
std::vector<std::string> child_arguments(const SweepOptions& options, const SweepRun& run,
                                         RunStep step) {
  if (step == RunStep::kResume) return {"resume", "--run", run_path(options, run)};
  std::vector<std::string> arguments = {"train", "--config", options.config_path};
  for (const auto* list : {&options.overrides, &run.assignments}) {
    for (const auto& assignment : *list) {
      arguments.push_back("--set");
      arguments.push_back(assignment);
    }
  }
  arguments.push_back("--out");
  arguments.push_back(run_path(options, run));
  return arguments;
}

// options.jobs runs at a time, each in a child process of this program; their logs are
// dropped but for a failed run's last line (its error). On SIGINT/SIGTERM the running ones get
// SIGTERM, stop at their next step (each keeps its training state) and the sweep then throws.
std::vector<RunOutcome> run_in_children(const SweepOptions& options,
                                        const std::vector<SweepRun>& runs) {
  struct Running {
    size_t index;
    std::unique_ptr<ChildProcess> child;
    double started;
  };
  const std::string executable = this_executable();
  std::vector<RunOutcome> outcomes(runs.size(), RunOutcome::kFailed);
  std::vector<Running> running;
  SweepClock clock;
  size_t next = 0;
  while (next < runs.size() || !running.empty()) {
    if (interrupted()) {
      for (auto& run : running) run.child->terminate();
      for (auto& run : running) run.child->wait();
      throw_if_interrupted();
    }
    while (running.size() < static_cast<size_t>(options.jobs) && next < runs.size()) {
      const size_t index = next++;
      const RunStep step = next_step(options, runs, index, clock);
      if (step == RunStep::kSkip) {
        outcomes[index] = RunOutcome::kComplete;
        continue;
      }
      running.push_back(
          {index,
           std::make_unique<ChildProcess>(executable, child_arguments(options, runs[index], step)),
           seconds_since_start()});
    }
    for (auto it = running.begin(); it != running.end();) {
      if (it->child->running()) {
        ++it;
        continue;
      }
      const std::string& name = runs[it->index].name;
      if (it->child->exit_code() == 0) {
        outcomes[it->index] = RunOutcome::kComplete;
        ++clock.trained;
        log_info(name + ": done in " +
                 std::to_string(std::lround(seconds_since_start() - it->started)) + " s");
      } else if (it->child->exit_code() > 128) {  // killed (out of memory, kill -9, ...)
        const std::string& last = it->child->last_line();
        log_warn(name + " failed: ended by signal " + std::to_string(it->child->exit_code() - 128) +
                 (last.empty() ? "" : "; its last log line: " + last));
      } else {
        std::string error = it->child->last_line();
        for (const char* prefix : {"shiftrec: ", "error: "}) {  // the CLI's "shiftrec: error: "
          if (error.rfind(prefix, 0) == 0) error.erase(0, std::strlen(prefix));
        }
        log_warn(name + " failed (exit status " + std::to_string(it->child->exit_code()) +
                 "): " + error);
      }
      it = running.erase(it);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return outcomes;
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
  if (options.jobs < 1) throw UserError("--jobs must be at least 1");
  const std::vector<SweepRun> runs = plan_sweep(options);
  // Every variant's options are read (and its data loaded) before any run: a typo in the
  // grid ends the sweep before hours of runs, not after. Once per variant: its runs differ
  // only in the seed (the fastest-varying part of the plan), which no check depends on.
  const size_t runs_per_variant = std::max<size_t>(options.seeds.size(), 1);
  int64_t threads = 0;
  for (size_t i = 0; i < runs.size(); i += runs_per_variant) {
    Config config = run_config(options, runs[i]);
    try {
      threads = std::max(threads, read_plan(config).threads);
    } catch (const UserError& e) {
      throw UserError("sweep run " + runs[i].name + ": " + e.what());
    }
  }
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (options.jobs > 1 && (threads == 0 || threads * options.jobs > cores)) {
    log_warn(std::to_string(options.jobs) + " runs at a time with threads = " +
             std::to_string(threads) + (threads == 0 ? " (all cores)" : "") + " on " +
             std::to_string(cores) + " cores: they compete for the cores; --set threads=" +
             std::to_string(std::max<int64_t>(1, cores / options.jobs)) + " fits them");
  }
  const std::vector<RunOutcome> outcomes =
      options.jobs == 1 ? run_in_this_process(options, runs) : run_in_children(options, runs);
  std::vector<std::string> complete, failed;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (outcomes[i] == RunOutcome::kComplete) {
      complete.push_back(run_path(options, runs[i]));
    } else {
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
                    options.out +
                    "/<run>.failed (or .partial, when killed outright); the same "
                    "sweep again resumes them\n" +
                    table);
  }
  return table;
}

}  // namespace shiftrec
