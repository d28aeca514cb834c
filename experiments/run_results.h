// results.json, typed: what a finished run reports, written and read only here. eval, compare,
// leaderboard, export and resume read a run through read_run_results (or open_finished_run,
// experiments/run_evaluation.h), which checks the format once, with one message.
//
// Layout (JSON keys as the fields, snake_case; `run_format` = kRunFormat):
//   model, loss, dataset{source, description, users, items, interactions},
//   protocol{split, valid_cut, test_cut, ranking, negatives_seed, mask_history, ties},
//   seed, config_hash, data_fingerprint, versions{...}, device, threads, openmp_wait_policy,
//   best_epoch, epochs_run, resumed_after_epochs, data_parallel_ranks, early_stop_metric,
//   timings{load_seconds, train_seconds, seconds_per_epoch, final_eval_seconds, total_seconds},
//   splits{valid|test: {targets, queries, candidates, metrics{...}, and with categories
//          by_shift_label{LABEL: {count, share, metrics|null}}, shift_detection{targets,
//          shifts, shift_share, scores{NAME: {roc_auc, pr_auc, roc: [[fpr, tpr], ...] (<= 101 points, 4 decimals)}}}, shift_window}},
//   change_points{margin, threshold, planted, detected, matched, precision, recall, f1,
//                 mean_delay} | null
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eval/change_points.h"
#include "eval/label_breakdown.h"
#include "eval/shift_detection.h"

namespace shiftrec {

// Format version written as "run_format"; readers refuse other versions.
constexpr int kRunFormat = 1;

struct SplitResults {
  int64_t targets = 0;
  int64_t queries = 0;
  std::string candidates;  // fingerprint of what the targets were ranked against
  std::map<std::string, double> metrics;
  // With item categories only (empty / unset otherwise):
  std::map<std::string, LabelSummary> by_label;
  std::optional<ShiftDetection> detection;
  int64_t shift_window = 0;
};

struct ChangePointResults {
  int64_t margin = 0;
  double threshold = 0.0;
  ChangePointScores scores;
};

struct RunResults {
  std::string model, loss;
  struct {
    std::string source, description;
    int64_t users = 0, items = 0, interactions = 0;
  } dataset;
  struct {
    std::string split;
    int64_t valid_cut = 0, test_cut = 0;
    std::string ranking;
    uint64_t negatives_seed = 0;
    bool mask_history = false;
  } protocol;
  uint64_t seed = 0;
  std::string config_hash, data_fingerprint;
  std::map<std::string, std::string> versions;
  std::string device;
  int64_t threads = 0;
  std::string openmp_wait_policy;
  int64_t best_epoch = 0, epochs_run = 0;
  std::vector<int64_t> resumed_after;
  int64_t data_parallel_ranks = 1;
  std::string early_stop_metric;
  struct {
    double load = 0.0, train = 0.0, per_epoch = 0.0, final_eval = 0.0, total = 0.0;
  } timings;
  std::map<std::string, SplitResults> splits;
  std::optional<ChangePointResults> change_points;

  // A reported number by name: a metric ("ndcg@10"), a label's ("SHIFT:recall@10"), the
  // model's shift-detection ROC-AUC ("shift_roc_auc"), a baseline's ("shift_roc_auc:
  // time_since_previous", "shift_roc_auc:past_shift_rate") or "seconds_per_epoch". Empty when the
  // run has no such number (no categories, a metric not configured, a label without targets).
  std::optional<double> value(const std::string& split, const std::string& name) const;
  // The split, or a UserError naming `dir`.
  const SplitResults& split(const std::string& name, const std::string& dir) const;
};

// The library versions a run records (shiftrec's from CMake's project version).
std::map<std::string, std::string> library_versions();

std::string results_json_text(const RunResults& results);  // what results.json holds
// Writes results.json atomically.
void write_run_results(const std::string& path, const RunResults& results);
// Reads DIR/results.json. Throws UserError naming the file when it is missing, not JSON,
// of another run_format, or lacks a field.
RunResults read_run_results(const std::string& dir);

// Throws UserError unless DIR is a directory holding every file in `files` ("not a complete
// shiftrec run (missing FILE)").
void require_run_files(const std::string& dir, const std::vector<std::string>& files);

}  // namespace shiftrec
