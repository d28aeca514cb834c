#include "experiments/run_comparison.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "eval/list_metric.h"
#include "eval/metric.h"
#include "eval/significance.h"
#include "experiments/run_results.h"
#include "experiments/target_table.h"

namespace shiftrec {
namespace {

struct RunRecord {
  RunResults results;
  TargetTable targets;
};

RunRecord read_run(const std::string& dir, const std::string& split) {
  require_run_files(dir, {"results.json", "targets.tsv"});
  RunRecord run;
  run.results = read_run_results(dir);
  run.results.split(split, dir);  // the run has it
  auto tables = read_target_tables(dir + "/targets.tsv");
  if (!tables.count(split)) throw UserError(dir + ": no \"" + split + "\" split in targets.tsv");
  run.targets = std::move(tables.at(split));
  return run;
}

// The targets of `group` ("ALL", "SHIFT" or one label), regrouped by query.
void select_group(const TargetTable& table, const std::vector<int64_t>& queries,
                  const std::string& group, std::vector<int64_t>& ranks,
                  std::vector<int64_t>& offsets) {
  ranks.clear();
  offsets.assign(1, 0);
  for (size_t q = 0; q + 1 < queries.size(); ++q) {
    for (int64_t t = queries[q]; t < queries[q + 1]; ++t) {
      const std::string& label = table.label[t];
      const bool member = group == "ALL" || label == group ||
                          (group == "SHIFT" && (label == "REVISIT" || label == "NOVEL"));
      if (member) ranks.push_back(table.rank[t]);
    }
    if (static_cast<int64_t>(ranks.size()) > offsets.back()) {
      offsets.push_back(static_cast<int64_t>(ranks.size()));
    }
  }
}

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

// Throws UserError unless the runs ranked the same targets against the same candidates;
// true when they also labelled them alike.
bool check_same_targets(const RunRecord& a, const RunRecord& b, const CompareOptions& options) {
  const SplitResults& split_a = a.results.split(options.split, options.run_a);
  const SplitResults& split_b = b.results.split(options.split, options.run_b);
  if (split_a.candidates.empty() || split_a.candidates != split_b.candidates) {
    throw UserError("cannot compare " + options.run_a + " and " + options.run_b + ": their " +
                    options.split +
                    " targets or candidates differ (data, split, protocol, "
                    "negatives or history masking)");
  }
  const TargetTable& ta = a.targets;
  const TargetTable& tb = b.targets;
  if (ta.size() != tb.size()) {
    throw UserError("cannot compare: " + std::to_string(ta.size()) + " vs " +
                    std::to_string(tb.size()) + " " + options.split + " targets");
  }
  bool same_labels = true;
  for (int64_t t = 0; t < ta.size(); ++t) {
    if (ta.user[t] != tb.user[t] || ta.item[t] != tb.item[t] || ta.position[t] != tb.position[t] ||
        ta.history[t] != tb.history[t]) {
      throw UserError("cannot compare: target " + std::to_string(t + 1) + " of " + options.split +
                      " differs between the runs' targets.tsv");
    }
    same_labels = same_labels && ta.label[t] == tb.label[t];
  }
  return same_labels;
}

void write_comparison_json(const Comparison& out, const CompareOptions& options) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : out.rows) {
    rows.push_back({{"metric", r.metric},
                    {"group", r.group},
                    {"queries", r.queries},
                    {"a", r.mean_a},
                    {"b", r.mean_b},
                    {"difference", r.difference},
                    {"ci95", {r.low, r.high}},
                    {"wilcoxon_p", r.p_value}});
  }
  const nlohmann::json document = {{"run_a", options.run_a}, {"run_b", options.run_b},
                                   {"split", options.split}, {"resamples", options.resamples},
                                   {"rows", rows},           {"notes", out.notes}};
  write_file_atomically(options.json_out, document.dump(2) + "\n");
}

}  // namespace

Comparison compare_runs(const CompareOptions& options) {
  if (options.split != "valid" && options.split != "test") {
    throw UserError("unknown split \"" + options.split + "\", expected valid or test");
  }
  const RunRecord a = read_run(options.run_a, options.split);
  const RunRecord b = read_run(options.run_b, options.split);
  const bool same_labels = check_same_targets(a, b, options);
  const TargetTable& ta = a.targets;
  const TargetTable& tb = b.targets;
  // Rank metrics both runs report (list metrics have no per-target value).
  const SplitResults& split_b = b.results.split(options.split, options.run_b);
  std::vector<std::string> metrics;
  for (const auto& [name, value] : a.results.split(options.split, options.run_a).metrics) {
    if (!is_list_metric(name) && split_b.metrics.count(name)) metrics.push_back(name);
  }
  Comparison out;
  std::vector<std::string> groups{"ALL"};
  const bool labelled =
      std::any_of(ta.label.begin(), ta.label.end(), [](const std::string& l) { return l != "-"; });
  if (labelled && same_labels) {
    for (const char* g : {"SHIFT", "REVISIT", "NOVEL", "IN-WINDOW", "REPEAT-ITEM"})
      groups.push_back(g);
  } else if (labelled) {
    out.notes.push_back(
        "per-label rows left out: the runs label shifts differently (different "
        "windows; set the same eval.shift_window to compare per label)");
  }
  const std::vector<int64_t> queries = ta.query_offsets();
  std::vector<int64_t> ranks_a, ranks_b, offsets;
  for (const auto& group : groups) {
    select_group(ta, queries, group, ranks_a, offsets);
    select_group(tb, queries, group, ranks_b, offsets);
    if (offsets.size() < 2) continue;  // no target of this label
    for (const auto& name : metrics) {
      const auto metric = make_metric(name);
      const std::vector<double> va = query_values(*metric, ranks_a, offsets);
      const std::vector<double> vb = query_values(*metric, ranks_b, offsets);
      const PairedInterval interval =
          paired_bootstrap(va, vb, options.resamples, 0.95, options.seed);
      out.rows.push_back({name, group, static_cast<int64_t>(va.size()), mean_of(va), mean_of(vb),
                          interval.mean_difference, interval.low, interval.high,
                          wilcoxon_signed_rank_p(va, vb)});
    }
  }
  if (!options.json_out.empty()) write_comparison_json(out, options);
  return out;
}

std::string format_comparison(const Comparison& comparison, const CompareOptions& options) {
  std::ostringstream os;
  os << "A = " << options.run_a << "\nB = " << options.run_b << "\nsplit " << options.split
     << "; difference = B - A with a paired bootstrap 95% interval (" << options.resamples
     << " resamples) and the Wilcoxon signed-rank p-value, over queries (users)\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %-12s %8s %9s %9s %10s %22s %9s\n", "metric", "group",
                "queries", "A", "B", "B-A", "95% interval", "p");
  os << line;
  for (const auto& r : comparison.rows) {
    std::snprintf(line, sizeof line,
                  "%-14s %-12s %8lld %9.4f %9.4f %+10.4f   [%+8.4f, %+8.4f] %9.2g\n",
                  r.metric.c_str(), r.group.c_str(), static_cast<long long>(r.queries), r.mean_a,
                  r.mean_b, r.difference, r.low, r.high, r.p_value);
    os << line;
  }
  for (const auto& note : comparison.notes) os << "note: " << note << '\n';
  return os.str();
}

}  // namespace shiftrec
