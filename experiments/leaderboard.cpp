#include "experiments/leaderboard.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/text.h"
#include "datasets/shift_labels.h"
#include "eval/metric_names.h"
#include "experiments/run_results.h"
#include "experiments/toml_text.h"

namespace shiftrec {
namespace {

using json = nlohmann::json;

// Options that cannot change what a run learns: runs differing only there are one variant.
const std::set<std::string> kNotPartOfTheVariant = {
    "seed", "log_level", "threads", "device", "train.test_curve_every", "train.checkpoint_every"};

struct BoardRun {
  std::string path;
  RunResults results;
  std::map<std::string, std::string> options;  // dotted path -> value as written in TOML
  std::string name;                             // the caller's row name, or empty
};

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, path + ".", out);
    } else if (!kNotPartOfTheVariant.count(path)) {
      out[path] = plain_text(node);
    }
  }
}

BoardRun read_board_run(const std::string& dir) {
  BoardRun run;
  run.path = dir;
  require_run_files(dir, {"resolved.toml", "results.json"});
  run.results = read_run_results(dir);
  toml::table resolved;
  try {
    resolved = toml::parse_file(dir + "/resolved.toml");
  } catch (const toml::parse_error& e) {
    throw UserError(dir + "/resolved.toml: invalid TOML: " + std::string(e.description()));
  }
  flatten(resolved, "", run.options);
  return run;
}

// The names a run reports for a split: its metrics, each label's, the detection AUC, time.
std::vector<std::string> reported_names(const RunResults& results, const std::string& split) {
  const SplitResults& s = results.splits.at(split);
  std::vector<std::string> names = {"seconds_per_epoch"};
  if (s.detection) {
    for (const auto& [score, auc] : s.detection->by_score) {
      names.push_back(score == "model" ? "shift_roc_auc" : "shift_roc_auc:" + score);
    }
  }
  for (const auto& [name, value] : s.metrics) names.push_back(name);
  for (const auto& [label, summary] : s.by_label) {
    for (const auto& [name, value] : summary.metrics) names.push_back(label + ":" + name);
  }
  return names;
}

double metric_of(const BoardRun& run, const std::string& split, const std::string& metric) {
  const SplitResults& s = run.results.split(split, run.path);
  const std::optional<double> value = run.results.value(split, metric);
  if (value) return *value;
  std::string message = run.path + ": no " + split + " metric '" + metric + "'";
  const auto colon = metric.find(':');
  const bool empty_label = colon != std::string::npos && s.by_label.count(metric.substr(0, colon));
  const std::string nearest = nearest_name(metric, reported_names(run.results, split));
  if (!empty_label && !nearest.empty()) message += " (did you mean '" + nearest + "'?)";
  throw UserError(message);
}

std::string variant_key(const BoardRun& run) {
  std::string key = run.name + "\n";
  for (const auto& [path, value] : run.options) key += path + "=" + value + "\n";
  return key;
}

// The variants: groups of runs differing only in options that cannot change what a run
// learns, in order of first appearance.

struct Variants {
  std::vector<std::string> keys;
  std::map<std::string, std::vector<const BoardRun*>> groups;
};

Variants group_runs(const std::vector<BoardRun>& runs) {
  Variants v;
  for (const auto& run : runs) {
    const std::string key = variant_key(run);
    if (!v.groups.count(key)) v.keys.push_back(key);
    v.groups[key].push_back(&run);
  }
  return v;
}

std::string name_of(const BoardRun& run, const std::set<std::string>& chosen) {
  std::vector<std::string> parts;
  for (const auto& path : chosen) {
    auto it = run.options.find(path);
    if (it != run.options.end()) parts.push_back(path + "=" + it->second);
  }
  return join(parts);
}

// Variants are named by a few of the options on which runs differ, chosen greedily: each time
// the option that tells the most variants apart (one every run has first on ties, so
// model.name before the options only some models have), until every name is distinct. A name
// lists the chosen options its variant has.
std::set<std::string> naming_options(const std::vector<BoardRun>& runs, const Variants& v) {
  std::set<std::string> varying, everywhere;
  for (const auto& run : runs) {
    for (const auto& [path, value] : run.options) {
      bool in_all = true;
      for (const auto& other : runs) {
        auto it = other.options.find(path);
        if (it == other.options.end() || it->second != value) varying.insert(path);
        in_all = in_all && it != other.options.end();
      }
      if (in_all) everywhere.insert(path);
    }
  }
  // Variants the caller named need no options to tell them apart.
  std::vector<const BoardRun*> unnamed;
  for (const auto& key : v.keys) {
    if (v.groups.at(key).front()->name.empty()) unnamed.push_back(v.groups.at(key).front());
  }
  const auto distinct_names = [&](const std::set<std::string>& chosen) {
    std::set<std::string> names;
    for (const auto* run : unnamed) names.insert(name_of(*run, chosen));
    return names.size();
  };
  std::set<std::string> chosen;
  while (distinct_names(chosen) < unnamed.size()) {
    std::string best;
    size_t best_count = 0;
    bool best_everywhere = false;
    for (const auto& path : varying) {
      if (chosen.count(path)) continue;
      std::set<std::string> trial = chosen;
      trial.insert(path);
      const size_t count = distinct_names(trial);
      const bool in_all = everywhere.count(path) > 0;
      if (count > best_count || (count == best_count && in_all && !best_everywhere)) {
        best = path;
        best_count = count;
        best_everywhere = in_all;
      }
    }
    if (best.empty()) break;  // cannot happen: variants differ in some option
    chosen.insert(best);
  }
  return chosen;
}

// One variant's row: its name and, per metric, the mean and sample sd over its runs.
LeaderboardRow board_row(const std::vector<const BoardRun*>& members,
                         const std::set<std::string>& chosen,
                         const std::vector<std::string>& metrics, const std::string& split) {
  LeaderboardRow row;
  row.variant = members.front()->name.empty() ? name_of(*members.front(), chosen)
                                              : members.front()->name;
  if (row.variant.empty()) {
    auto it = members.front()->options.find("model.name");
    row.variant = it != members.front()->options.end() ? it->second : "all";
  }
  for (const auto* run : members) row.runs.push_back(run->path);
  for (const auto& metric : metrics) {
    std::vector<double> values;
    for (const auto* run : members) values.push_back(metric_of(*run, split, metric));
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    double squares = 0.0;
    for (double v : values) squares += (v - mean) * (v - mean);
    row.mean.push_back(mean);
    row.sd.push_back(values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1))
                                       : 0.0);
  }
  return row;
}

}  // namespace

// A run directory, or a folder of them (a sweep's): every subfolder holding results.json,
// in name order.
std::vector<std::string> expand_run_folders(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> runs;
  for (const auto& path : paths) {
    if (fs::exists(path + "/results.json") || !fs::is_directory(path)) {
      runs.push_back(path);
      continue;
    }
    // Runs below, a sweep's one level down, a benchmark plan's (plan/model/seed) two.
    std::vector<std::string> inside;
    const std::function<void(const fs::path&, int)> collect = [&](const fs::path& folder,
                                                                  int depth) {
      for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_directory()) continue;
        if (fs::exists(entry.path() / "results.json")) {
          inside.push_back(entry.path().string());
        } else if (depth < 3) {
          collect(entry.path(), depth + 1);
        }
      }
    };
    collect(path, 1);
    std::sort(inside.begin(), inside.end());
    if (inside.empty()) inside.push_back(path);  // reported as not a complete run
    runs.insert(runs.end(), inside.begin(), inside.end());
  }
  return runs;
}

namespace {

std::string shift_caveat(const SplitResults& split, const std::string& split_name) {
  const auto shift = split.by_label.find("SHIFT");
  if (shift == split.by_label.end()) return "";
  int64_t labelled = 0;  // the labels every target gets one of, UNLABELLED aside
  for (ShiftLabel label :
       {ShiftLabel::kRepeatItem, ShiftLabel::kInWindow, ShiftLabel::kRevisit, ShiftLabel::kNovel}) {
    const auto found = split.by_label.find(shift_label_name(label));
    if (found != split.by_label.end()) labelled += found->second.count;
  }
  if (!few_shift_targets(shift->second.count, labelled)) return "";
  char share[32];
  std::snprintf(share, sizeof share, "%.1f%%",
                100.0 * static_cast<double>(shift->second.count) / static_cast<double>(labelled));
  return "Only " + std::to_string(shift->second.count) + " of the " + std::to_string(labelled) +
         " labelled " + split_name + " targets (" + share +
         ") are SHIFT: the SHIFT columns and the detection AUCs rest on them.";
}

}  // namespace

Leaderboard build_leaderboard(const LeaderboardOptions& options) {
  if (options.runs.empty()) throw UserError("leaderboard: no run directories given");
  std::vector<BoardRun> runs;
  for (const auto& dir : expand_run_folders(options.runs)) {
    runs.push_back(read_board_run(dir));
    const auto name = options.run_names.find(dir);
    if (name != options.run_names.end()) runs.back().name = name->second;
  }
  Leaderboard board;
  board.metrics = options.metrics;
  const SplitResults& first = runs.front().results.split(options.split, runs.front().path);
  board.shift_caveat = shift_caveat(first, options.split);
  if (board.metrics.empty()) {
    int64_t smallest = std::numeric_limits<int64_t>::max();
    for (const auto& [name, value] : first.metrics) {
      board.metrics.push_back(name);
      if (metric_kind(name) == MetricKind::kRank)
        smallest = std::min(smallest, metric_cutoff(name));
    }
    const auto shift = first.by_label.find("SHIFT");
    if (shift != first.by_label.end() && shift->second.count > 0) {
      for (const auto& [name, value] : first.metrics) {  // the overall ones, per label too
        if (metric_kind(name) == MetricKind::kRank && metric_cutoff(name) == smallest &&
            shift->second.metrics.count(name) > 0) {
          board.metrics.push_back("SHIFT:" + name);
        }
      }
      if (first.detection) board.metrics.push_back("shift_roc_auc");
    }
  }
  for (const auto& metric : board.metrics) {
    const size_t colon = metric.find(':');
    const auto label = colon == std::string::npos ? first.by_label.end()
                                                  : first.by_label.find(metric.substr(0, colon));
    board.label_targets.push_back(label == first.by_label.end() ? -1 : label->second.count);
  }
  const Variants variants = group_runs(runs);
  const std::set<std::string> chosen = naming_options(runs, variants);
  for (const auto& key : variants.keys) {
    board.rows.push_back(board_row(variants.groups.at(key), chosen, board.metrics, options.split));
  }
  if (!board.metrics.empty()) {
    std::stable_sort(
        board.rows.begin(), board.rows.end(),
        [](const LeaderboardRow& a, const LeaderboardRow& b) { return a.mean[0] > b.mean[0]; });
  }
  return board;
}

std::string metric_header(const Leaderboard& board, size_t metric) {
  const int64_t targets = metric < board.label_targets.size() ? board.label_targets[metric] : -1;
  return board.metrics[metric] +
         (targets >= 0 ? " (n=" + std::to_string(targets) + ")" : std::string());
}

std::string format_leaderboard(const Leaderboard& board) {
  std::string out = "| variant | runs |";
  std::string rule = "|---|---|";
  for (size_t m = 0; m < board.metrics.size(); ++m) {
    out += " " + metric_header(board, m) + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : board.rows) {
    out += "| " + row.variant + " | " + std::to_string(row.runs.size()) + " |";
    for (size_t m = 0; m < row.mean.size(); ++m) {
      char cell[64];
      if (row.runs.size() > 1) {
        std::snprintf(cell, sizeof(cell), " %.4f ± %.4f |", row.mean[m], row.sd[m]);
      } else {  // one run: no spread to show
        std::snprintf(cell, sizeof(cell), " %.4f |", row.mean[m]);
      }
      out += cell;
    }
    out += "\n";
  }
  return out;
}

std::string leaderboard_json(const Leaderboard& board) {
  json rows = json::array();
  for (const auto& row : board.rows) {
    json mean = json::object(), sd = json::object();
    for (size_t m = 0; m < board.metrics.size(); ++m) {
      mean[board.metrics[m]] = row.mean[m];
      sd[board.metrics[m]] = row.sd[m];
    }
    rows.push_back({{"variant", row.variant}, {"runs", row.runs}, {"mean", mean}, {"sd", sd}});
  }
  return json{{"metrics", board.metrics}, {"rows", rows}}.dump(2) + "\n";
}

}  // namespace shiftrec
