// `shiftrec leaderboard RUN...`: finished runs grouped by configuration, one row per
// variant with the mean and sample standard deviation over its runs (seeds) of each metric.
//
// Two runs are the same variant when their resolved.toml agree on every option but the ones
// that cannot change what is learned: `seed`, `log_level`, `threads`, `device`,
// `train.test_curve_every` and `train.checkpoint_every` (`data.synthetic.seed` is the data's
// own, never the run seed: runs on other synthetic data are other variants). A variant is
// named by the fewest options that tell the variants apart, picked greedily, model.name first
// ("model.fusion=true, model.name=shift_sasrec"; the model name when there is one variant),
// or by the row names the caller gives its runs (a benchmark plan's model rows).
// Rows are sorted by the first metric, best first.
//
// Metric names:
//   "ndcg@10"            a metric of the split (results.json splits.<split>.metrics)
//   "SHIFT:recall@10"    the same restricted to one shift label's targets (by_shift_label)
//   "shift_roc_auc"      ROC-AUC of the model's shift score (shift_detection)
//   "seconds_per_epoch"  training time per epoch (timings)
//
//   shiftrec leaderboard runs/sweep/* --metrics ndcg@10,SHIFT:recall@10
//   | variant | runs | ndcg@10 | SHIFT:recall@10 |
//   |---|---|---|---|
//   | model.name=graph_sasrec | 3 | 0.2657 ± 0.0015 | 0.0059 ± 0.0029 |
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shiftrec {

struct LeaderboardOptions {
  std::vector<std::string> runs;  // complete run directories
  std::string split = "test";
  // Empty: the split's metrics of the first run and, when it has shift labels, the SHIFT
  // targets' rank metrics at the smallest cut-off and the shift-detection ROC-AUC.
  std::vector<std::string> metrics;
  // Optional: run directory (as listed) -> the name of its row, e.g. a benchmark plan's
  // model row. Runs of different names are different variants, and a named variant is
  // called by its name rather than by the options that tell it apart.
  std::map<std::string, std::string> run_names;
};

struct LeaderboardRow {
  std::string variant;
  std::vector<std::string> runs;  // in the order given
  std::vector<double> mean;       // per metric, in LeaderboardOptions order
  std::vector<double> sd;         // sample sd (n - 1); 0 for a single run
};

struct Leaderboard {
  std::vector<std::string> metrics;
  // Per metric: how many of the split's targets a label's metric averages over (the first
  // run's count: "SHIFT:recall@10 (n=339)"); -1 for a metric of all targets.
  std::vector<int64_t> label_targets;
  std::vector<LeaderboardRow> rows;  // best first by metrics[0]
  // A sentence when the split's SHIFT targets are under 1% of its labelled ones (the first
  // run's counts; e.g. S3-Rec's LastFM: 3 of 1,090), whose SHIFT columns and detection AUCs
  // then say little; empty otherwise.
  std::string shift_caveat;
};

// Each path as given when it is a run directory; a folder of runs stands for every folder
// below it (down to three levels: a sweep's runs, a benchmark's plan/model/seed) holding
// results.json, in path order.
std::vector<std::string> expand_run_folders(const std::vector<std::string>& paths);

// Throws UserError naming the run for a missing or incomplete run directory, an unknown split,
// or a metric a run does not report.
Leaderboard build_leaderboard(const LeaderboardOptions& options);

// A metric's column title: its name, with the number of targets for a label's metric.
std::string metric_header(const Leaderboard& board, size_t metric);

// A Markdown table: variant, runs, then "mean ± sd" per metric (4 decimals).
std::string format_leaderboard(const Leaderboard& board);

// The same as JSON, for notebooks: {"metrics": [...], "rows": [{"variant", "runs": [paths],
// "mean": {metric: value}, "sd": {metric: value}}]}, full precision.
std::string leaderboard_json(const Leaderboard& board);

}  // namespace shiftrec
