#include "experiments/leaderboard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "experiments/run_results.h"
#include "experiments/sweep.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

// A finished run as the leaderboard reads it: resolved.toml by hand, results.json through its
// one writer.
std::string make_run(const testing::TempDir& dir, const std::string& name, const std::string& toml,
                     double ndcg, double shift_recall) {
  const std::string path = dir.file(name);
  std::filesystem::create_directories(path);
  testing::write_text(path + "/resolved.toml", toml);
  RunResults results;
  results.timings.per_epoch = 2.0;
  SplitResults& test = results.splits["test"];
  test.metrics["ndcg@10"] = ndcg;
  // with the conditional rank a SHIFT row also carries (eval/evaluator.cpp), not a metric name
  test.by_label["SHIFT"] = {
      4, 0.5, {{"recall@10", shift_recall}, {"ndcg@10", 0.25}, {"cond_ndcg@10", 0.5}}};
  test.by_label["NOVEL"] = {0, 0.0, {}};  // no targets: no metrics
  write_run_results(path + "/results.json", results);
  return path;
}

const std::string kSasrec = "threads = 1\n[model]\nname = 'sasrec'\nd = 8\n";
const std::string kGraph = "[model]\nname = 'graph_sasrec'\nd = 8\nlayers = 2\n";

TEST(Leaderboard, GroupsRunsByConfigurationAndAveragesOverSeeds) {
  testing::TempDir dir;
  std::vector<std::string> runs = {
      make_run(dir, "a1", "seed = 1\n" + kSasrec, 0.1, 0.0),
      make_run(dir, "b1", "seed = 1\n" + kGraph, 0.25, 0.3),
      make_run(dir, "a2", "seed = 2\n" + kSasrec, 0.2, 0.1),
      // seed, threads and log_level do not make another variant
      make_run(dir, "a3",
               "seed = 3\nlog_level = 'warn'\nthreads = 2\n[model]\nname = 'sasrec'\nd = 8\n", 0.3,
               0.2),
      make_run(dir, "b2", "seed = 2\n" + kGraph, 0.35, 0.3),
      // the synthetic data's seed is the data's, never the run's: other data, another variant
      make_run(dir, "c1", "seed = 1\n" + kSasrec + "[data.synthetic]\nseed = 42\n", 0.05, 0.0),
      make_run(dir, "c2", "seed = 2\n" + kSasrec + "[data.synthetic]\nseed = 42\n", 0.15, 0.1),
      make_run(dir, "d1", "seed = 2\n" + kSasrec + "[data.synthetic]\nseed = 7\n", 0.0, 0.0)};
  LeaderboardOptions options;
  options.runs = runs;
  options.metrics = {"ndcg@10", "SHIFT:recall@10", "seconds_per_epoch"};
  const Leaderboard board = build_leaderboard(options);
  ASSERT_EQ(board.rows.size(), 4u);
  // Best first by ndcg@10; named by the fewest differing options that tell them apart:
  // model.name (every run has it), then the data seed (model.layers would not help).
  EXPECT_EQ(board.rows[0].variant, "model.name=graph_sasrec");
  EXPECT_EQ(board.rows[0].runs, (std::vector<std::string>{runs[1], runs[4]}));
  EXPECT_NEAR(board.rows[0].mean[0], 0.3, 1e-12);
  EXPECT_NEAR(board.rows[0].sd[0], 0.0707106781, 1e-9);  // sample sd of 0.25, 0.35
  EXPECT_NEAR(board.rows[0].sd[1], 0.0, 1e-12);
  EXPECT_EQ(board.rows[1].variant, "model.name=sasrec");
  EXPECT_EQ(board.rows[1].runs, (std::vector<std::string>{runs[0], runs[2], runs[3]}));
  EXPECT_NEAR(board.rows[1].mean[0], 0.2, 1e-12);  // 0.1, 0.2, 0.3
  EXPECT_NEAR(board.rows[1].sd[0], 0.1, 1e-9);
  EXPECT_NEAR(board.rows[1].mean[1], 0.1, 1e-12);
  EXPECT_NEAR(board.rows[1].mean[2], 2.0, 1e-12);
  // runs on the same data, different model seeds: one variant; other data: another
  EXPECT_EQ(board.rows[2].runs, (std::vector<std::string>{runs[5], runs[6]}));
  EXPECT_NEAR(board.rows[2].mean[0], 0.1, 1e-12);
  EXPECT_EQ(board.rows[2].variant, "data.synthetic.seed=42, model.name=sasrec");
  EXPECT_EQ(board.rows[3].runs, (std::vector<std::string>{runs[7]}));
  EXPECT_EQ(board.rows[3].variant, "data.synthetic.seed=7, model.name=sasrec");
  options.runs.resize(5);
  EXPECT_EQ(
      format_leaderboard(build_leaderboard(options)),
      "| variant | runs | ndcg@10 | SHIFT:recall@10 (n=4) | seconds_per_epoch |\n"
      "|---|---|---|---|---|\n"
      "| model.name=graph_sasrec | 2 | 0.3000 ± 0.0707 | 0.3000 ± 0.0000 | 2.0000 ± 0.0000 |\n"
      "| model.name=sasrec | 3 | 0.2000 ± 0.1000 | 0.1000 ± 0.1000 | 2.0000 ± 0.0000 |\n");
}

TEST(Leaderboard, ASweepFolderStandsForItsRunsAndASingleRunShowsNoSpread) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.file("sweep"));
  const std::string a = make_run(dir, "sweep/seed=1", "seed = 1\n" + kSasrec, 0.1, 0.0);
  const std::string b = make_run(dir, "sweep/seed=2", "seed = 2\n" + kSasrec, 0.3, 0.2);
  make_run(dir, "sweep/graph", "seed = 1\n" + kGraph, 0.25, 0.3);
  std::filesystem::create_directories(dir.file("sweep/stopped.partial"));  // no results: left out
  LeaderboardOptions options;
  options.runs = {dir.file("sweep")};
  options.metrics = {"ndcg@10"};
  const Leaderboard board = build_leaderboard(options);
  ASSERT_EQ(board.rows.size(), 2u);
  EXPECT_EQ(board.rows[1].runs, (std::vector<std::string>{a, b}));
  // Without --metrics: the split's metrics, then the SHIFT targets' at the smallest cut-off
  // (the split's metric names only), headed with how many targets they average over.
  options.metrics.clear();
  const Leaderboard defaults = build_leaderboard(options);
  EXPECT_EQ(defaults.metrics, (std::vector<std::string>{"ndcg@10", "SHIFT:ndcg@10"}));
  EXPECT_EQ(defaults.label_targets, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ(metric_header(defaults, 1), "SHIFT:ndcg@10 (n=4)");
  options.metrics = {"ndcg@10"};
  EXPECT_EQ(format_leaderboard(board),
            "| variant | runs | ndcg@10 |\n"
            "|---|---|---|\n"
            "| model.name=graph_sasrec | 1 | 0.2500 |\n"
            "| model.name=sasrec | 2 | 0.2000 ± 0.1414 |\n");
}

TEST(Leaderboard, RunsNamedByTheirRowAreCalledSoAndRowsOfOneConfigStayApart) {
  testing::TempDir dir;
  const std::vector<std::string> runs = {
      make_run(dir, "first/seed=1", "seed = 1\n" + kSasrec, 0.1, 0.0),
      make_run(dir, "first/seed=2", "seed = 2\n" + kSasrec, 0.3, 0.0),
      make_run(dir, "again/seed=1", "seed = 1\n" + kSasrec, 0.2, 0.0),  // the same config
      make_run(dir, "graph/seed=1", "seed = 1\n" + kGraph, 0.5, 0.0)};
  LeaderboardOptions options;
  options.runs = runs;
  options.metrics = {"ndcg@10"};
  options.run_names = {{runs[0], "sasrec"}, {runs[1], "sasrec"}, {runs[2], "sasrec_again"}};
  const Leaderboard board = build_leaderboard(options);
  ASSERT_EQ(board.rows.size(), 3u);
  EXPECT_EQ(board.rows[0].runs, (std::vector<std::string>{runs[3]}));
  // A run without a name: its options name it, as without names at all (here the one
  // unnamed variant: its model's name).
  EXPECT_EQ(board.rows[0].variant, "graph_sasrec");
  EXPECT_EQ(board.rows[1].variant, "sasrec");
  EXPECT_EQ(board.rows[1].runs, (std::vector<std::string>{runs[0], runs[1]}));
  EXPECT_NEAR(board.rows[1].mean[0], 0.2, 1e-12);
  EXPECT_EQ(board.rows[2].variant, "sasrec_again");
  EXPECT_EQ(board.rows[2].runs, (std::vector<std::string>{runs[2]}));
}

TEST(Leaderboard, FewShiftTargetsComeWithACaveat) {
  testing::TempDir dir;
  const auto run = [&](const std::string& name, int64_t in_window, int64_t novel) {
    const std::string path = make_run(dir, name, "seed = 1\n" + kSasrec, 0.1, 0.0);
    RunResults results = read_run_results(path);
    SplitResults& test = results.splits["test"];
    test.by_label["IN-WINDOW"] = {in_window, 0.0, {{"recall@10", 0.2}}};
    test.by_label["NOVEL"] = {novel, 0.0, {{"recall@10", 0.0}}};
    test.by_label["UNLABELLED"] = {500, 0.0, {{"recall@10", 0.0}}};  // not counted
    test.by_label["SHIFT"].count = novel;
    write_run_results(path + "/results.json", results);
    LeaderboardOptions options;
    options.runs = {path};
    options.metrics = {"ndcg@10"};
    return build_leaderboard(options).shift_caveat;
  };
  EXPECT_EQ(run("lastfm", 1087, 3),
            "Only 3 of the 1090 labelled test targets (0.3%) are SHIFT: the SHIFT columns and "
            "the detection AUCs rest on them.");
  EXPECT_EQ(run("enough", 99, 1), "");  // 1%
}

TEST(Leaderboard, ClearErrorsNameTheRun) {
  testing::TempDir dir;
  const std::string run = make_run(dir, "a", kSasrec, 0.1, 0.0);
  LeaderboardOptions options;
  options.runs = {run};
  options.metrics = {"NOVEL:recall@10"};  // a label without targets in this run
  try {
    build_leaderboard(options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), run + ": no test metric 'NOVEL:recall@10'");
  }
  options.metrics = {"ndgc@10"};  // misspelt: the nearest name the run reports
  try {
    build_leaderboard(options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), run + ": no test metric 'ndgc@10' (did you mean 'ndcg@10'?)");
  }
  options.metrics = {"ndcg@10"};
  options.split = "valid";
  EXPECT_THROW(build_leaderboard(options), UserError);
  options.runs = {dir.file("missing")};
  try {
    build_leaderboard(options);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("missing") + ": no such run directory");
  }
}

TEST(Sweep, PlansEveryCombinationWithSeedsFastest) {
  SweepOptions options;
  options.grid = {"model.name=[\"sasrec\", \"graph_sasrec\"]", "model.layers=[1, 2]"};
  options.seeds = {1, 2};
  const auto runs = plan_sweep(options);
  ASSERT_EQ(runs.size(), 8u);
  EXPECT_EQ(runs[0].name, "model.name=sasrec,model.layers=1,seed=1");
  EXPECT_EQ(runs[0].assignments,
            (std::vector<std::string>{"model.name='sasrec'", "model.layers=1", "seed=1"}));
  EXPECT_EQ(runs[1].name, "model.name=sasrec,model.layers=1,seed=2");
  EXPECT_EQ(runs[2].name, "model.name=sasrec,model.layers=2,seed=1");
  EXPECT_EQ(runs[7].name, "model.name=graph_sasrec,model.layers=2,seed=2");
  options.grid = {"eval.ks=[[5, 10], [20]]"};  // list values; names keep to one path part
  options.seeds = {};
  const auto lists = plan_sweep(options);
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].assignments, (std::vector<std::string>{"eval.ks=[ 5, 10 ]"}));
  EXPECT_EQ(lists[0].name.find('/'), std::string::npos);
  // Bundles: an inline table sets several keys of one table in the same run.
  options.grid = {"model=[{name = \"sasrec\"}, {name = \"graph_sasrec\", layers = 2}]"};
  options.seeds = {3};
  const auto bundles = plan_sweep(options);
  ASSERT_EQ(bundles.size(), 2u);
  EXPECT_EQ(bundles[0].name, "model.name=sasrec,seed=3");
  EXPECT_EQ(bundles[1].name, "model.layers=2,model.name=graph_sasrec,seed=3");  // keys sorted
  EXPECT_EQ(bundles[1].assignments,
            (std::vector<std::string>{"model.layers=2", "model.name='graph_sasrec'", "seed=3"}));
  for (const std::string bad : {"model.name", "=[1]", "model.d=3", "model.d=[]", "model.d=[1,",
                                "model=[{}]", "data=[{synthetic = {users = 5}}]"}) {
    options.grid = {bad};
    EXPECT_THROW(plan_sweep(options), UserError) << bad;
  }
}

}  // namespace
}  // namespace shiftrec
