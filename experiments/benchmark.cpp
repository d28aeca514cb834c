#include "experiments/benchmark.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/text.h"
#include "core/version.h"
#include "experiments/board_carry.h"
#include "experiments/leaderboard.h"
#include "experiments/plan.h"
#include "experiments/report.h"
#include "experiments/run_results.h"
#include "experiments/sweep.h"
#include "experiments/toml_text.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

std::string trimmed(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

void refuse_unknown_keys(const toml::table& table, const std::set<std::string>& known,
                         const std::string& where) {
  for (const auto& [key, value] : table) {
    if (!known.count(std::string(key.str()))) {
      std::vector<std::string> names(known.begin(), known.end());
      throw UserError(where + ": unknown key '" + std::string(key.str()) +
                      "' (known: " + join(names) + ")");
    }
  }
}

// A model row's overrides, in the order they apply.
std::vector<std::string> model_overrides(const toml::table& row, const std::string& where) {
  refuse_unknown_keys(row, {"from_config", "model", "loss", "set"}, where);
  std::vector<std::string> out;
  const bool from_config = row["from_config"].value_or(false);
  if (row.contains("from_config") && !row["from_config"].is_boolean()) {
    throw UserError(where + ".from_config: expected true or false");
  }
  if (const auto* node = row.get("model")) {
    const auto* model = node->as_table();
    if (model == nullptr || model->empty()) {
      throw UserError(where + ".model: expected a table of [model] keys");
    }
    if (from_config) {
      for (const auto& [key, value] : *model) {
        out.push_back("model." + std::string(key.str()) + "=" + toml_text(value));
      }
    } else {
      out.push_back("model=" + toml_text(*model));
    }
  } else if (!from_config) {
    throw UserError(where + ": give `model = { name = ... }` or `from_config = true`");
  }
  if (const auto* node = row.get("loss")) {
    if (!node->is_table()) throw UserError(where + ".loss: expected a table of [loss] keys");
    out.push_back("loss=" + toml_text(*node));
  }
  if (const auto* node = row.get("set")) {
    const auto* list = node->as_array();
    if (list == nullptr) throw UserError(where + ".set: expected a list of \"key = value\"");
    for (const auto& item : *list) {
      const auto* text = item.as_string();
      if (text == nullptr || text->get().find('=') == std::string::npos) {
        throw UserError(where + ".set: expected a list of \"key = value\"");
      }
      std::string assignment = text->get();
      // "key = value" as a plan writes it -> "key=value" as --set takes it.
      const auto eq = assignment.find('=');
      out.push_back(trimmed(assignment.substr(0, eq)) + "=" + trimmed(assignment.substr(eq + 1)));
    }
  }
  return out;
}

// The TOML file at `path`; a file that is not TOML is one error naming it and the line.
toml::table parsed_toml(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw UserError(path + ":" + std::to_string(e.source().begin.line) +
                    ": invalid TOML: " + std::string(e.description()));
  }
}

// Whether `overrides` ("key=value", as --set takes them) give `key` a value.
bool sets_key(const std::vector<std::string>& overrides, const std::string& key) {
  return std::any_of(overrides.begin(), overrides.end(), [&](const std::string& assignment) {
    return trimmed(assignment.substr(0, assignment.find('='))) == key;
  });
}

// The protocol of a plan's section: each key as the plan's config gives it to the rows that
// leave it alone — a row's own `set` (LightGCN's longer patience) is the row's, not the plan's
// — so the line does not depend on which rows have runs here (the board compares it with the
// earlier section's before keeping that section's rows). Read from a run of a row that leaves
// the key alone; where every row here sets it, from the plan's config file when it states it.
// `first_runs`: one complete run of each row that has one here, in the plan's order.
std::string plan_protocol(
    const BenchmarkPlan& plan,
    const std::vector<std::pair<const BenchmarkModel*, std::string>>& first_runs) {
  std::map<std::string, toml::table> resolved;  // run -> its resolved.toml
  const auto value_in = [&](const std::string& run, const std::string& key) {
    if (resolved.count(run) == 0) resolved[run] = parsed_toml(run + "/resolved.toml");
    const auto node = resolved[run].at_path(key);
    return node ? plain_text(*node.node()) : std::string("-");
  };
  std::optional<toml::table> config;  // the plan's config file, read when a key needs it
  const auto value = [&](const std::string& key) {
    const auto plain = std::find_if(first_runs.begin(), first_runs.end(), [&](const auto& row) {
      return !sets_key(row.first->overrides, key);
    });
    if (plain != first_runs.end()) return value_in(plain->second, key);
    if (!config) config = parsed_toml(plan.config_path);
    const auto stated = config->at_path(key);
    return stated ? plain_text(*stated.node()) : value_in(first_runs.front().second, key);
  };
  std::ostringstream out;
  out << "split `" << value("split.protocol") << "`; evaluation `" << value("eval.protocol")
      << "`, history masked: " << value("eval.mask_history") << "; shift window "
      << value("eval.shift_window") << "; up to " << value("train.epochs") << " epochs, patience "
      << value("train.patience") << " on validation " << value("train.early_stop_metric");
  return out.str();
}

// The names of the baseline shift scores a run's test split was judged with.
std::vector<std::string> detection_baselines(const std::string& run_dir) {
  const RunResults results = read_run_results(run_dir);
  const SplitResults& test = results.split("test", run_dir);
  std::vector<std::string> names;
  if (test.detection) {
    for (const auto& [name, scores] : test.detection->by_score) {
      if (name != "model") names.push_back(name);
    }
  }
  return names;
}

// The commits of the binaries that made `runs` (results.json versions), each once.
std::vector<std::string> run_commits(const std::vector<std::string>& runs) {
  std::set<std::string> commits;
  for (const auto& run : runs) {
    const auto versions = read_run_results(run).versions;
    const auto it = versions.find("shiftrec_commit");
    commits.insert(it == versions.end() ? "not recorded" : it->second);
  }
  return {commits.begin(), commits.end()};
}

std::string seeds_text(const std::vector<int64_t>& seeds) {
  std::vector<std::string> parts;
  for (int64_t s : seeds) parts.push_back(std::to_string(s));
  return join(parts);
}

}  // namespace

BenchmarkPlan read_benchmark_plan(const std::string& path) {
  const toml::table table = parsed_toml(path);
  refuse_unknown_keys(table, {"name", "config", "seeds", "metrics", "models"}, path);
  BenchmarkPlan plan;
  plan.path = path;
  const auto name = table["name"].value<std::string>();
  if (!name || name->empty() || name->find('/') != std::string::npos) {
    throw UserError(path + ": name: expected a non-empty string without '/'");
  }
  plan.name = *name;
  const auto config = table["config"].value<std::string>();
  if (!config) throw UserError(path + ": config: expected the experiment config's path");
  plan.config_path = (fs::path(path).parent_path() / *config).lexically_normal().string();
  if (const auto* seeds = table["seeds"].as_array()) {
    for (const auto& s : *seeds) {
      const auto seed = s.value<int64_t>();
      if (!seed) throw UserError(path + ": seeds: expected a list of integers");
      plan.seeds.push_back(*seed);
    }
  }
  if (plan.seeds.empty()) throw UserError(path + ": seeds: expected a non-empty list of integers");
  if (const auto* node = table.get("metrics")) {
    const auto* metrics = node->as_array();
    if (metrics == nullptr) throw UserError(path + ": metrics: expected a list of metric names");
    for (const auto& m : *metrics) {
      const auto name = m.value<std::string>();
      if (!name) throw UserError(path + ": metrics: expected a list of metric names");
      plan.metrics.push_back(*name);
    }
  }
  const auto* models = table["models"].as_table();
  if (models == nullptr || models->empty()) {
    throw UserError(path + ": models: expected [models.NAME] tables");
  }
  for (const auto& [key, node] : *models) {
    const std::string where = path + ": models." + std::string(key.str());
    const auto* row = node.as_table();
    if (row == nullptr) throw UserError(where + ": expected a table");
    plan.models.push_back({std::string(key.str()), model_overrides(*row, where)});
  }
  // toml++ keeps a table's keys sorted; the plan's order is the file's.
  std::stable_sort(plan.models.begin(), plan.models.end(), [&](const auto& a, const auto& b) {
    return models->get(a.name)->source().begin.line < models->get(b.name)->source().begin.line;
  });
  return plan;
}

std::string run_benchmarks(const BenchmarkOptions& options) {
  std::vector<BenchmarkPlan> plans;
  for (const auto& path : options.plans) plans.push_back(read_benchmark_plan(path));
  for (const auto& wanted : options.models) {
    bool found = false;
    for (const auto& plan : plans) {
      for (const auto& model : plan.models) found = found || model.name == wanted;
    }
    if (!found) throw UserError("--models: no plan has a model '" + wanted + "'");
  }
  const auto selected = [&](const BenchmarkModel& model) {
    return options.models.empty() || std::find(options.models.begin(), options.models.end(),
                                               model.name) != options.models.end();
  };
  // Every row's config is read (its data loaded, its model's options checked) before the
  // first run: a typo in the last row ends the command now, not hours later.
  if (!options.board_only || options.check_only) {
    for (const auto& plan : plans) {
      for (const auto& model : plan.models) {
        if (!selected(model)) continue;
        Config config = Config::from_file(plan.config_path);
        try {
          for (const auto& assignment : model.overrides) config.apply_override(assignment);
          for (const auto& assignment : options.overrides) config.apply_override(assignment);
          read_plan(config);
        } catch (const UserError& e) {
          throw UserError(plan.path + ": models." + model.name + ": " + e.what());
        }
      }
    }
  }
  if (options.check_only) {
    int64_t rows = 0;
    for (const auto& plan : plans) {
      for (const auto& model : plan.models) rows += selected(model) ? 1 : 0;
    }
    return std::to_string(rows) + " rows of " + std::to_string(plans.size()) +
           " plans checked: their configs are valid\n";
  }
  std::vector<std::string> failed;
  if (!options.board_only) {
    for (const auto& plan : plans) {
      for (const auto& model : plan.models) {
        if (!selected(model)) continue;
        SweepOptions sweep;
        sweep.config_path = plan.config_path;
        sweep.overrides = model.overrides;
        sweep.overrides.insert(sweep.overrides.end(), options.overrides.begin(),
                               options.overrides.end());
        sweep.seeds = options.seeds.empty() ? plan.seeds : options.seeds;
        sweep.out = options.out + "/" + plan.name + "/" + model.name;
        sweep.jobs = options.jobs;
        log_info("benchmark " + plan.name + " / " + model.name + ": seeds " +
                 seeds_text(sweep.seeds));
        try {
          run_sweep(sweep);
        } catch (const UserError& e) {
          if (interrupted()) throw;
          log_warn(plan.name + " / " + model.name + ": " + split(e.what(), '\n').front());
          failed.push_back(plan.name + " / " + model.name);
        }
      }
    }
  }
  // The board's sections, one per plan, in the order given, from every complete run of the
  // plan here (whichever rows this invocation ran); then what the board this one replaces
  // knew that is not here (experiments/board_carry.h).
  std::vector<FreshSection> sections;
  for (const auto& plan : plans) {
    FreshSection section;
    section.name = plan.name;
    std::vector<std::string> runs;
    std::map<std::string, std::string> row_of;  // run -> its model row: the board's names
    std::vector<std::pair<const BenchmarkModel*, std::string>> first_runs;  // of each row here
    for (const auto& model : plan.models) {
      const std::string folder = options.out + "/" + plan.name + "/" + model.name;
      const size_t before = runs.size();
      if (fs::is_directory(folder)) {  // complete runs only: a stopped one is resumed later
        for (const auto& run : expand_run_folders({folder})) {
          if (!fs::exists(run + "/results.json")) continue;
          runs.push_back(run);
          row_of[run] = model.name;
        }
      }
      if (runs.size() == before) {
        section.not_run.push_back(model.name);
      } else {
        first_runs.emplace_back(&model, runs[before]);
      }
    }
    section.intro = "\n## " + plan.name + "\n\n`" + plan.path + "` (config `" + plan.config_path +
                    "`), seeds " + seeds_text(options.seeds.empty() ? plan.seeds : options.seeds) +
                    ".\n\n";
    if (runs.empty()) {
      sections.push_back(section);
      continue;
    }
    section.protocol = plan_protocol(plan, first_runs);
    section.commits = run_commits(runs);
    LeaderboardOptions leaderboard;
    leaderboard.runs = runs;
    leaderboard.run_names = row_of;
    // The plan's metrics (or the leaderboard's defaults), then what a published board also
    // needs: the baselines' detection AUCs beside the model's, and the training time.
    leaderboard.metrics =
        plan.metrics.empty() ? build_leaderboard(leaderboard).metrics : plan.metrics;
    if (std::find(leaderboard.metrics.begin(), leaderboard.metrics.end(), "shift_roc_auc") !=
        leaderboard.metrics.end()) {
      for (const auto& baseline : detection_baselines(runs.front())) {
        leaderboard.metrics.push_back("shift_roc_auc:" + baseline);
      }
    }
    leaderboard.metrics.push_back("seconds_per_epoch");
    const Leaderboard table = build_leaderboard(leaderboard);
    section.table = format_leaderboard(table);
    section.caveat = table.shift_caveat;
    if (!options.report.empty()) {
      fs::create_directories(options.report);
      ReportOptions report;
      report.runs = runs;
      report.run_names = row_of;
      report.out = options.report + "/" + plan.name + ".html";
      report.detailed_per_variant = 1;  // one seed's curves per row: the page stays small
      write_report(report);
      // A link that works where the board is (docs/leaderboard.md -> leaderboard/X.html).
      const fs::path from =
          options.board.empty() ? fs::current_path() : fs::absolute(options.board).parent_path();
      const std::string link = fs::relative(fs::absolute(report.out), from).string();
      section.report_link = "Report page (learning curves, per-label bars, ROC curves): [" + link +
                            "](" + link + ").";
    }
    sections.push_back(section);
  }
  const Board kept = carry_over(options.board, options.out, sections);

  std::ostringstream board;
  board << kBoardTitle << "\nWritten by `shiftrec benchmark` (shiftrec " << shiftrec_version()
        << ", commit " << shiftrec_git_commit() << ") over the runs under `" << options.out
        << "`. Test split; mean ± sample sd over each row's seeds; `(n=...)` is the number of "
           "test targets a label's metric averages over. `shift_roc_auc` is the model's "
           "shift-detection ROC-AUC, `shift_roc_auc:NAME` a baseline score's on the same "
           "targets (docs/metrics.md).";
  if (kept.carried) {
    board << " A section marked as carried over is kept from the board this one replaced (its "
             "runs are not here): it names the commit that made them; so is a row named "
             "`NAME (carried)`, listed under its table with its commit.";
  }
  board << "\n";
  // Without --note the replaced board's note stays: it describes the machine of the runs
  // it keeps.
  const std::string& note = options.note.empty() ? kept.note : options.note;
  if (options.note.empty() && !kept.note.empty()) {
    log_info("kept the note under the title of " + options.board + " (--note replaces it)");
  }
  if (!note.empty()) board << "\n" << note << "\n";
  board << kept.sections;
  if (!options.board.empty()) write_file_atomically(options.board, board.str());
  if (!failed.empty()) {
    throw UserError(std::to_string(failed.size()) + " benchmark rows had failed runs (" +
                    join(failed) +
                    "); the board shows what completed; the same command "
                    "again resumes them");
  }
  return board.str();
}

}  // namespace shiftrec
