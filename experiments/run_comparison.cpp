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
bool check_same_targets(const RunRecord& a, const std::string& name_a, const RunRecord& b,
                        const std::string& name_b, const std::string& split) {
  const SplitResults& split_a = a.results.split(split, name_a);
  const SplitResults& split_b = b.results.split(split, name_b);
  if (split_a.candidates.empty() || split_a.candidates != split_b.candidates) {
    throw UserError("cannot compare " + name_a + " and " + name_b + ": their " + split +
                    " targets or candidates differ (data, split, protocol, "
                    "negatives or history masking)");
  }
  const TargetTable& ta = a.targets;
  const TargetTable& tb = b.targets;
  if (ta.size() != tb.size()) {
    throw UserError("cannot compare " + name_a + " and " + name_b + ": " +
                    std::to_string(ta.size()) + " vs " + std::to_string(tb.size()) + " " + split +
                    " targets");
  }
  bool same_labels = true;
  for (int64_t t = 0; t < ta.size(); ++t) {
    if (ta.user[t] != tb.user[t] || ta.item[t] != tb.item[t] || ta.position[t] != tb.position[t] ||
        ta.history[t] != tb.history[t]) {
      throw UserError("cannot compare " + name_a + " and " + name_b + ": target " +
                      std::to_string(t + 1) + " of " + split +
                      " differs between their targets.tsv");
    }
    same_labels = same_labels && ta.label[t] == tb.label[t];
  }
  return same_labels;
}

// "RUN", or "N runs (RUN, RUN, ...)" for a seed group.
std::string group_name(const std::vector<std::string>& runs) {
  if (runs.size() == 1) return runs.front();
  std::string out = std::to_string(runs.size()) + " runs (";
  for (size_t i = 0; i < runs.size(); ++i) out += (i > 0 ? ", " : "") + runs[i];
  return out + ")";
}

// Each query's value of `metric` over `group`'s targets, averaged over the runs.
std::vector<double> group_query_values(const std::vector<RunRecord>& runs, const RankMetric& metric,
                                       const std::vector<int64_t>& queries,
                                       const std::string& group, std::vector<int64_t>& offsets) {
  std::vector<double> mean;
  std::vector<int64_t> ranks;
  for (const RunRecord& run : runs) {
    select_group(run.targets, queries, group, ranks, offsets);
    const std::vector<double> values = query_values(metric, ranks, offsets);
    if (mean.empty()) mean.assign(values.size(), 0.0);
    for (size_t q = 0; q < values.size(); ++q) mean[q] += values[q] / runs.size();
  }
  return mean;
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
  nlohmann::json document = {{"runs_a", options.runs_a}, {"runs_b", options.runs_b},
                             {"split", options.split},   {"resamples", options.resamples},
                             {"tests", out.rows.size()}, {"rows", rows},
                             {"notes", out.notes}};
  if (options.holm) {
    for (size_t i = 0; i < out.rows.size(); ++i) {
      document["rows"][i]["wilcoxon_p_holm"] = out.rows[i].p_holm;
    }
  }
  write_file_atomically(options.json_out, document.dump(2) + "\n");
}

}  // namespace

Comparison compare_runs(const CompareOptions& options) {
  if (options.split != "valid" && options.split != "test") {
    throw UserError("unknown split \"" + options.split + "\", expected valid or test");
  }
  if (options.runs_a.empty() || options.runs_b.empty()) {
    throw UserError("compare needs runs on both sides: RUN_A RUN_B, or A1 A2 ... -- B1 B2 ...");
  }
  std::vector<RunRecord> a, b;
  for (const auto& dir : options.runs_a) a.push_back(read_run(dir, options.split));
  for (const auto& dir : options.runs_b) b.push_back(read_run(dir, options.split));
  // Every run against A's first: the same targets; per-label rows only when labelled alike.
  bool same_labels = true;
  for (size_t i = 1; i < a.size(); ++i) {
    same_labels &=
        check_same_targets(a[0], options.runs_a[0], a[i], options.runs_a[i], options.split);
  }
  for (size_t i = 0; i < b.size(); ++i) {
    same_labels &=
        check_same_targets(a[0], options.runs_a[0], b[i], options.runs_b[i], options.split);
  }
  const TargetTable& ta = a[0].targets;
  // Rank metrics every run reports (list metrics have no per-target value).
  std::vector<std::string> metrics;
  for (const auto& [name, value] : a[0].results.split(options.split, options.runs_a[0]).metrics) {
    bool everywhere = !is_list_metric(name);
    for (const auto* side : {&a, &b}) {
      for (const RunRecord& run : *side) {
        everywhere = everywhere && run.results.splits.at(options.split).metrics.count(name) > 0;
      }
    }
    if (everywhere) metrics.push_back(name);
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
  if (a.size() > 1 || b.size() > 1) {
    out.notes.push_back("seed groups: each query's value is the mean over its group's runs (" +
                        std::to_string(a.size()) + " in A, " + std::to_string(b.size()) +
                        " in B); the tests pair those means over queries");
  }
  const std::vector<int64_t> queries = ta.query_offsets();
  std::vector<int64_t> offsets;
  for (const auto& group : groups) {
    for (const auto& name : metrics) {
      const auto metric = make_metric(name);
      const std::vector<double> va = group_query_values(a, *metric, queries, group, offsets);
      const std::vector<double> vb = group_query_values(b, *metric, queries, group, offsets);
      if (va.empty()) break;  // no target of this label
      const PairedInterval interval =
          paired_bootstrap(va, vb, options.resamples, 0.95, options.seed);
      ComparisonRow row{name,         group,         static_cast<int64_t>(va.size()),
                        mean_of(va),  mean_of(vb),   interval.mean_difference,
                        interval.low, interval.high, wilcoxon_signed_rank_p(va, vb)};
      out.rows.push_back(row);
    }
  }
  std::vector<double> p;
  for (const auto& row : out.rows) p.push_back(row.p_value);
  const std::vector<double> adjusted = holm_adjusted(p);
  for (size_t i = 0; i < out.rows.size(); ++i) out.rows[i].p_holm = adjusted[i];
  if (!options.json_out.empty()) write_comparison_json(out, options);
  return out;
}

std::string format_comparison(const Comparison& comparison, const CompareOptions& options) {
  std::ostringstream os;
  os << "A = " << group_name(options.runs_a) << "\nB = " << group_name(options.runs_b) << "\nsplit "
     << options.split << "; difference = B - A with a paired bootstrap 95% interval ("
     << options.resamples
     << " resamples) and the Wilcoxon signed-rank p-value, over queries (users); "
     << comparison.rows.size() << " tests"
     << (options.holm ? ", p_holm adjusted over all of them (Holm)"
                      : " (--holm adjusts for their number)")
     << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %-12s %8s %9s %9s %10s %22s %9s%s\n", "metric", "group",
                "queries", "A", "B", "B-A", "95% interval", "p", options.holm ? "    p_holm" : "");
  os << line;
  for (const auto& r : comparison.rows) {
    std::snprintf(line, sizeof line,
                  "%-14s %-12s %8lld %9.4f %9.4f %+10.4f   [%+8.4f, %+8.4f] %9.2g",
                  r.metric.c_str(), r.group.c_str(), static_cast<long long>(r.queries), r.mean_a,
                  r.mean_b, r.difference, r.low, r.high, r.p_value);
    os << line;
    if (options.holm) {
      std::snprintf(line, sizeof line, " %9.2g", r.p_holm);
      os << line;
    }
    os << '\n';
  }
  for (const auto& note : comparison.notes) os << "note: " << note << '\n';
  return os.str();
}

}  // namespace shiftrec
