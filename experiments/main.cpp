// The shiftrec command line.
//
//   shiftrec train --config FILE [--set key=value ...] [--out DIR]
//   shiftrec resume --run DIR
//   shiftrec sweep --config FILE [--set ...] [--grid 'key=[v1, v2]' ...] [--seeds 1,2,3] [--jobs N]
//   --out DIR shiftrec leaderboard RUN... [--split test] [--metrics ndcg@10,SHIFT:recall@10]
//   shiftrec models
//   shiftrec eval --run DIR [--split test] [--dump-topk FILE]
//   shiftrec compare RUN_A RUN_B [--split test] [--resamples 1000] [--json FILE]
//   shiftrec export --run DIR --out FILE.h5
//   shiftrec options --config FILE [--set key=value ...]
//   shiftrec data generate --config FILE [--set key=value ...] --out DIR
//   shiftrec data stats --config FILE [--set key=value ...] [--window W]
//   shiftrec data fetch NAME --to DIR [--catalog FILE] [--accept-unverified]
//
// Every user mistake ends here as one line on stderr and exit status 1; a shiftrec bug
// (InternalError) exits with status 2.
#include <cstdio>
#include <iostream>

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include "core/allocator.h"
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/openmp_waits.h"
#include "datasets/synthetic.h"
#include "experiments/data_fetch.h"
#include "experiments/data_stats.h"
#include "experiments/experiment.h"
#include "experiments/leaderboard.h"
#include "experiments/run_comparison.h"
#include "experiments/run_evaluation.h"
#include "experiments/run_export.h"
#include "experiments/sweep.h"

namespace {

using shiftrec::Config;

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Config config = Config::from_file(path);
  for (const auto& assignment : overrides) config.apply_override(assignment);
  return config;
}

int run(int argc, char** argv) {
  CLI::App app{"shiftrec: next-item and interest-shift recommendation on LibTorch"};
  app.require_subcommand(1);
  std::string config_path, out;
  std::vector<std::string> overrides;

  auto* train = app.add_subcommand("train", "train a model and evaluate it into a run directory");
  train->add_option("--config", config_path, "TOML experiment config")->required();
  train->add_option("--set", overrides, "override a config key: --set model.d=64")->take_all();
  train->add_option("--out", out, "run directory (default runs/<config>-<time>)");

  std::string resume_dir;
  auto* resume = app.add_subcommand(
      "resume", "continue a run that stopped before completing (DIR, DIR.partial or DIR.failed)");
  resume->add_option("--run", resume_dir, "run directory")->required();

  shiftrec::SweepOptions sweep_options;
  auto* sweep = app.add_subcommand(
      "sweep", "run a config over a grid of option values and seeds, then print the leaderboard");
  sweep->add_option("--config", sweep_options.config_path, "TOML experiment config")->required();
  sweep->add_option("--set", sweep_options.overrides, "override a config key in every run")
      ->take_all();
  sweep->add_option("--grid", sweep_options.grid, "key=[v1, v2, ...]: one run per value")
      ->take_all();
  sweep->add_option("--seeds", sweep_options.seeds, "run seeds, e.g. 1,2,3")->delimiter(',');
  sweep->add_option("--metrics", sweep_options.metrics, "leaderboard metrics")->delimiter(',');
  sweep->add_option("--jobs", sweep_options.jobs, "runs at a time, each its own process")
      ->check(CLI::Range(1, 1024));
  sweep->add_option("--out", sweep_options.out, "folder of the run directories")->required();

  shiftrec::LeaderboardOptions board_options;
  auto* leaderboard = app.add_subcommand(
      "leaderboard", "finished runs grouped by configuration: mean ± sd over seeds per metric");
  leaderboard->add_option("runs", board_options.runs, "run directories")->required();
  leaderboard->add_option("--split", board_options.split, "valid or test (default test)");
  leaderboard
      ->add_option("--metrics", board_options.metrics,
                   "ndcg@10, SHIFT:recall@10, shift_roc_auc, seconds_per_epoch, ... "
                   "(default: every metric of the split)")
      ->delimiter(',');
  std::string board_json;
  leaderboard->add_option("--json", board_json, "also write the table as JSON to this file");

  auto* models = app.add_subcommand("models", "list the registered models");

  std::string export_run_dir, export_out;
  auto* export_cmd = app.add_subcommand("export", "write a run's user and item embeddings to HDF5");
  export_cmd->add_option("--run", export_run_dir, "run directory")->required();
  export_cmd->add_option("--out", export_out, "output .h5 file")->required();

  shiftrec::EvalRunOptions eval_options;
  auto* eval =
      app.add_subcommand("eval", "re-evaluate a finished run; optionally dump top-k lists");
  eval->add_option("--run", eval_options.run_dir, "run directory")->required();
  eval->add_option("--split", eval_options.split, "valid or test (default test)");
  eval->add_option("--dump-topk", eval_options.dump_topk,
                   "TSV of every target: split, user, target, rank, label, topk");

  shiftrec::CompareOptions compare_options;
  auto* compare = app.add_subcommand(
      "compare",
      "paired comparison of two runs on the same targets: bootstrap interval and "
      "Wilcoxon p per metric, overall and per shift label");
  compare->add_option("run_a", compare_options.run_a, "run directory A")->required();
  compare->add_option("run_b", compare_options.run_b, "run directory B")->required();
  compare->add_option("--split", compare_options.split, "valid or test (default test)");
  compare
      ->add_option("--resamples", compare_options.resamples, "bootstrap resamples (default 1000)")
      ->check(CLI::Range(int64_t{10}, int64_t{1000000}));
  compare->add_option("--json", compare_options.json_out, "also write the rows to this JSON file");

  auto* options = app.add_subcommand("options", "list every option a config resolves to");
  options->add_option("--config", config_path, "TOML experiment config")->required();
  options->add_option("--set", overrides, "override a config key")->take_all();

  auto* data = app.add_subcommand("data", "dataset tools");
  data->require_subcommand(1);
  auto* generate = data->add_subcommand(
      "generate", "write the synthetic set of a config as plain files (CSV) for other tools");
  generate->add_option("--config", config_path, "TOML config with a [data.synthetic] table")
      ->required();
  generate->add_option("--set", overrides, "override a config key")->take_all();
  generate->add_option("--out", out, "output folder")->required();
  std::string fetch_name, fetch_to, catalog;
  bool accept_unverified = false;
  auto* fetch = data->add_subcommand(
      "fetch", "download a public dataset (ml-100k, ml-1m, ml-20m, gowalla), check it, unpack it");
  fetch->add_option("name", fetch_name, "dataset name")->required();
  fetch->add_option("--to", fetch_to, "folder to unpack into (as DIR/NAME)")->required();
  fetch->add_option("--catalog", catalog, "TOML catalog replacing the built-in one");
  fetch->add_flag("--accept-unverified", accept_unverified,
                  "keep a download that has no published checksum");
  int64_t window = 50;
  auto* stats = data->add_subcommand(
      "stats", "users, items, lengths, categories and shift-label shares of the test targets");
  stats->add_option("--config", config_path, "TOML config with [data] (and [split])")->required();
  stats->add_option("--set", overrides, "override a config key")->take_all();
  stats->add_option("--window", window, "window W of the shift labels (default 50)")
      ->check(CLI::PositiveNumber);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (models->parsed()) {
    std::cout << shiftrec::describe_models();
    return 0;
  }
  if (sweep->parsed()) {
    std::cout << shiftrec::run_sweep(sweep_options);
    return 0;
  }
  if (leaderboard->parsed()) {
    const auto board = shiftrec::build_leaderboard(board_options);
    if (!board_json.empty()) {
      shiftrec::write_file_atomically(board_json, shiftrec::leaderboard_json(board));
    }
    std::cout << shiftrec::format_leaderboard(board);
    return 0;
  }
  if (resume->parsed()) {
    shiftrec::resume_experiment(resume_dir);
    return 0;
  }
  if (export_cmd->parsed()) {
    shiftrec::export_run(export_run_dir, export_out);
    return 0;
  }
  if (eval->parsed()) {
    std::cout << shiftrec::evaluate_run(eval_options);
    return 0;
  }
  if (compare->parsed()) {
    const shiftrec::Comparison comparison = shiftrec::compare_runs(compare_options);
    std::cout << shiftrec::format_comparison(comparison, compare_options);
    return 0;
  }
  if (fetch->parsed()) {
    shiftrec::FetchOptions fetch_options;
    fetch_options.catalog_path = catalog;
    fetch_options.accept_unverified = accept_unverified;
    std::cout << shiftrec::fetch_dataset(fetch_name, fetch_to, fetch_options) << "\n";
    return 0;
  }
  Config config = load_config(config_path, overrides);
  if (train->parsed()) {
    shiftrec::run_experiment(config, out);
    return 0;
  }
  if (options->parsed()) {
    std::cout << shiftrec::list_options(config);
    return 0;
  }
  if (stats->parsed()) {
    std::cout << shiftrec::dataset_stats(config, window);
    return 0;
  }
  if (generate->parsed()) {
    auto root = config.root();
    const auto seed = static_cast<uint64_t>(
        root.get_int("seed", 42, 0, shiftrec::ConfigSection::kIntMax, "run seed"));
    auto options_read =
        shiftrec::SyntheticOptions::from_config(config.section("data").sub("synthetic"), seed);
    shiftrec::save_synthetic(shiftrec::generate_synthetic(options_read), out);
    shiftrec::log_info("synthetic data written to " + out);
    return 0;
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
    std::fprintf(stderr, "shiftrec: error: %s\n", e.what());
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
