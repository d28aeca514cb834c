// End-to-end runs of the CLI binary on tiny synthetic data: the run directory it writes,
// and one clear line for every kind of bad input, with no run directory left behind.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::count_of;
using testing::run_cli;
using testing::source_path;

const std::string kTiny =
    " --set data.synthetic.users=80 --set data.synthetic.items=60 --set data.synthetic.categories=6"
    " --set train.epochs=2 --set model.d=16 --set log_level=warn";

std::string train_args(const std::string& config, const std::string& out) {
  return "train --config " + config + kTiny + " --out " + out;
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Cli, TrainWritesACompleteRunDirectory) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto result =
      run_cli(train_args(source_path("experiments/configs/quickstart.toml"), run), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_FALSE(fs::exists(run + ".partial"));
  const std::string resolved = testing::read_text(run + "/resolved.toml");
  EXPECT_NE(resolved.find("users = 80"), std::string::npos);
  EXPECT_EQ(count_lines(testing::read_text(run + "/metrics.jsonl")), 2);  // one per epoch
  const auto first_epoch =
      nlohmann::json::parse(testing::read_text(run + "/metrics.jsonl")
                                .substr(0, testing::read_text(run + "/metrics.jsonl").find('\n')));
  EXPECT_EQ(first_epoch["epoch"], 1);
  EXPECT_TRUE(first_epoch["valid"].contains("ndcg@10"));
  // The log at info level although the console logged warnings only: from loading the data
  // (before the run directory existed) to the results; one process, one section.
  const std::string log = testing::read_text(run + "/log.txt");
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(count_of(log, " UTC ---\n"), 1) << log;
  EXPECT_NE(log.find("info: data: 80 users"), std::string::npos) << log;
  EXPECT_EQ(count_of(log, "info: epoch 1 loss"), 1) << log;
  EXPECT_EQ(count_of(log, "info: epoch 2 loss"), 1) << log;
  EXPECT_NE(log.find("info: results in " + run + "/results.json"), std::string::npos) << log;

  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(results["model"], "sasrec");
  EXPECT_EQ(results["protocol"]["split"], "loo");
  EXPECT_EQ(results["protocol"]["ranking"], "full");
  EXPECT_EQ(results["seed"], 42);
  EXPECT_EQ(results["config_hash"], fnv1a_hex(resolved));
  EXPECT_EQ(results["device"], "cpu");
  EXPECT_TRUE(results["versions"].contains("libtorch"));
  EXPECT_TRUE(results["timings"].contains("seconds_per_epoch"));
  for (const char* split : {"valid", "test"}) {
    EXPECT_EQ(results["splits"][split]["targets"], 80);
    for (const char* metric : {"recall@10", "ndcg@10", "mrr@10", "recall@20", "ndcg@20"}) {
      const double value = results["splits"][split]["metrics"][metric];
      EXPECT_GE(value, 0.0);
      EXPECT_LE(value, 1.0);
    }
  }

  // Synthetic items have categories, so every metric is also reported per shift label; the
  // labels partition the targets (SHIFT = REVISIT + NOVEL).
  const auto& labels = results["splits"]["test"]["by_shift_label"];
  int64_t labelled = 0;
  for (const char* label : {"REPEAT-ITEM", "IN-WINDOW", "REVISIT", "NOVEL", "UNLABELLED"}) {
    labelled += labels[label]["count"].get<int64_t>();
  }
  EXPECT_EQ(labelled, 80);
  EXPECT_EQ(labels["SHIFT"]["count"].get<int64_t>(),
            labels["REVISIT"]["count"].get<int64_t>() + labels["NOVEL"]["count"].get<int64_t>());
  EXPECT_EQ(results["splits"]["test"]["shift_window"], 50);  // eval.shift_window's default

  // Training again from the resolved config reproduces the config and, on the CPU, the numbers.
  const std::string again = dir.file("again");
  const auto rerun = run_cli("train --config " + run + "/resolved.toml --out " + again, dir);
  ASSERT_EQ(rerun.status, 0) << rerun.err;
  EXPECT_EQ(testing::read_text(again + "/resolved.toml"), resolved);
  const auto results_again = nlohmann::json::parse(testing::read_text(again + "/results.json"));
  EXPECT_EQ(results_again["config_hash"], results["config_hash"]);
  EXPECT_EQ(results_again["data_fingerprint"], results["data_fingerprint"]);
  EXPECT_EQ(results_again["splits"]["test"]["metrics"], results["splits"]["test"]["metrics"]);
}

// The shift configuration end to end: gaps reach the head in training and evaluation (a
// gap-reading head called without them is an internal error), the shift graph is fitted,
// the mixture ranks, and the head's probability scores detection.
TEST(Cli, ShiftQuickstartTrainsAndScoresShiftDetectionWithItsHead) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto result =
      run_cli(train_args(source_path("experiments/configs/quickstart_shift.toml"), run), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(results["model"], "shift_sasrec");
  const auto& test = results["splits"]["test"];
  const double auc = test["shift_detection"]["scores"]["model"]["roc_auc"];
  EXPECT_GE(auc, 0.0);
  EXPECT_LE(auc, 1.0);
  const double shift_recall = test["by_shift_label"]["SHIFT"]["metrics"]["recall@20"];
  EXPECT_GE(shift_recall, 0.0);
  EXPECT_LE(shift_recall, 1.0);
}

// Scoring the planted change points reads every position against every item — the cost that
// dominates at scale (bench/scale_end_to_end.sh) — so it can be turned off, and nothing else
// changes.
TEST(Cli, ChangePointScoringCanBeTurnedOff) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  const std::string with = dir.file("with"), without = dir.file("without");
  ASSERT_EQ(run_cli(train_args(config, with), dir).status, 0);
  const auto result = run_cli(train_args(config, without) + " --set eval.change_points=false", dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const auto a = nlohmann::json::parse(testing::read_text(with + "/results.json"));
  const auto b = nlohmann::json::parse(testing::read_text(without + "/results.json"));
  EXPECT_GT(a["change_points"]["planted"].get<int64_t>(), 0);
  EXPECT_TRUE(b["change_points"].is_null());
  EXPECT_EQ(a["splits"], b["splits"]);
}

TEST(Cli, TestLearningCurveIsLoggedAndChangesNothing) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  const std::string plain = dir.file("plain"), curved = dir.file("curved");
  ASSERT_EQ(run_cli(train_args(config, plain), dir).status, 0);
  const auto result = run_cli(train_args(config, curved) + " --set train.test_curve_every=1", dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const std::string lines = testing::read_text(curved + "/metrics.jsonl");
  ASSERT_EQ(count_lines(lines), 2);
  for (const auto& line : split(lines, '\n')) {
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line);
    EXPECT_TRUE(record["test_curve"].contains("ndcg@10")) << line;
  }
  // The curve is only observed: training, selection and the final numbers are unchanged.
  const auto a = nlohmann::json::parse(testing::read_text(plain + "/results.json"));
  const auto b = nlohmann::json::parse(testing::read_text(curved + "/results.json"));
  EXPECT_EQ(a["best_epoch"], b["best_epoch"]);
  EXPECT_EQ(a["splits"]["test"]["metrics"], b["splits"]["test"]["metrics"]);
  EXPECT_EQ(a["splits"]["valid"]["metrics"], b["splits"]["valid"]["metrics"]);
}

// eval.valid_users: early stopping reads a sample of the validation users (their recall is a
// count over the sample), the final valid metrics still cover every user.
TEST(Cli, EarlyStoppingValidatesOnASampleOfUsersWhenAsked) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto result = run_cli(train_args(source_path("experiments/configs/quickstart.toml"), run) +
                                  " --set eval.valid_users=20",
                              dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const std::string log = testing::read_text(run + "/log.txt");
  EXPECT_NE(log.find("early stopping reads 20 of 80 validation targets"), std::string::npos) << log;
  for (const auto& line : split(testing::read_text(run + "/metrics.jsonl"), '\n')) {
    if (line.empty()) continue;
    const double recall = nlohmann::json::parse(line)["valid"]["recall@10"];
    EXPECT_NEAR(recall * 20, std::round(recall * 20), 1e-9) << line;
  }
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(results["splits"]["valid"]["targets"], 80);
}

struct BadInput {
  std::string name;
  std::string extra_args;   // appended to a valid tiny training command
  std::string config_text;  // when set, used as the config file instead of quickstart
  std::string expected;     // substring of the one error line
};

TEST(Cli, BadInputIsOneClearLineAndLeavesNoRunDirectory) {
  const std::vector<BadInput> cases = {
      {"misspelt key", " --set model.dropuot=0.1", "",
       "--set model.dropuot=0.1: unknown key 'model.dropuot' (did you mean 'model.dropout'?)"},
      {"misspelt table", "", "seed = 1\n[trian]\nepochs = 1\n",
       "bad.toml:2:2: unknown key 'trian' (did you mean 'train'?)"},
      {"wrong type", " --set 'model.d=\"wide\"'", "",
       "--set model.d=\"wide\": model.d: expected an integer, got string \"wide\""},
      {"out of range", " --set model.dropout=2", "",
       "--set model.dropout=2: model.dropout: value 2 is out of range: expected 0 <= dropout <= "
       "0.99"},
      {"unknown model", " --set model.name=sasrek", "",
       "model.name: unknown value \"sasrek\", expected one of: "},
      {"unknown metric", " --set 'eval.metrics=[\"ndgc\"]'", "",
       "eval.metrics: unknown metric \"ndgc\" (did you mean \"ndcg\"?)"},
      {"early stop metric not computed", " --set train.early_stop_metric=ndcg@5", "",
       "train.early_stop_metric: \"ndcg@5\" is not computed"},
      {"heads not dividing d", " --set model.heads=3", "",
       "model.heads: value 3 does not divide d = 16"},
      {"cuda without a gpu", " --set device=cuda", "", "device: device \"cuda\" requested"},
      {"k above the candidates", " --set 'eval.protocol=\"uni20\"' --set eval.ks=[10,50]", "",
       "eval.ks: cut-off 50 is above the 21 candidates each target is ranked among"},
      {"k above the items", " --set eval.ks=[10,61]", "",
       "eval.ks: cut-off 61 is above the 60 candidates"},
      {"unknown protocol", " --set 'eval.protocol=\"top100\"'", "",
       "eval.protocol: unknown protocol \"top100\", expected full, uniN or popN"},
      {"shift mixture without a shift head",
       " --set model.name=graph_sasrec --set model.shift_mixture=true", "",
       "model.shift_mixture: needs shift_head = true"},
      {"move head without a shift head",
       " --set model.name=graph_sasrec --set model.shift_move_head=true", "",
       "model.shift_move_head: needs shift_head = true"},
      {"shift graph without the mixture",
       " --set model.name=shift_sasrec --set model.shift_graph=true", "",
       "model.shift_graph: needs shift_mixture = true"},
      {"time gaps without timestamps", " --set model.time_gaps=true",
       "[data]\nsource = \"s3rec\"\npath = \"{dir}/seq.txt\"\n[model]\nd = 16\n[eval]\nks = "
       "[2]\n[train]\nearly_stop_metric = \"ndcg@2\"\n",
       "model.time_gaps: the data has no timestamps"},
      {"a composed part's time gaps without timestamps", "",
       "[data]\nsource = \"s3rec\"\npath = \"{dir}/seq.txt\"\n[model]\nsequence = \"sasrec\"\n"
       "[model.sasrec]\ntime_gaps = true\n[eval]\nks = [2]\n[train]\nearly_stop_metric = "
       "\"ndcg@2\"\n",
       "model.sasrec.time_gaps: the data has no timestamps"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    std::string config = source_path("experiments/configs/quickstart.toml");
    if (!c.config_text.empty()) {  // {dir}/seq.txt: three users' item sequences
      config = dir.file("bad.toml");
      std::string text = c.config_text;
      const auto at = text.find("{dir}");
      if (at != std::string::npos) text.replace(at, 5, dir.path());
      testing::write_text(config, text);
      testing::write_text(dir.file("seq.txt"), "1 1 2 3 4\n2 2 3 4\n3 4 1 2\n");
    }
    const std::string run = dir.file("run");
    const auto result = run_cli(train_args(config, run) + c.extra_args, dir);
    if (c.name == "cuda without a gpu" && result.status == 0) continue;  // a GPU machine
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(count_lines(result.err), 1) << result.err;
    EXPECT_EQ(result.err.rfind("shiftrec: error: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(run));
    EXPECT_FALSE(fs::exists(run + ".partial"));
    EXPECT_FALSE(fs::exists(run + ".failed"));
  }
}

TEST(Cli, MissingConfigAndExistingOutput) {
  testing::TempDir dir;
  auto missing = run_cli("train --config " + dir.file("nope.toml"), dir);
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "shiftrec: error: " + dir.file("nope.toml") +
                             ": cannot open config file (missing or unreadable)\n");
  fs::create_directory(dir.file("taken"));
  auto taken = run_cli(
      train_args(source_path("experiments/configs/quickstart.toml"), dir.file("taken")), dir);
  EXPECT_EQ(taken.status, 1);
  EXPECT_NE(taken.err.find("run directory " + dir.file("taken") + " already exists"),
            std::string::npos)
      << taken.err;
}

// A wrapper for run_cli that sends the process one SIGTERM once the shell test `condition`
// holds (polled every 0.1 s, at most 2 minutes), `delay` later (e.g. "sleep 1; ").
std::string terminate_when(const std::string& condition, const std::string& delay = "") {
  return "sh -c '\"$0\" \"$@\" & pid=$!; n=0; while [ ! " + condition +
         " ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done; " + delay +
         "kill -TERM $pid; wait $pid'";
}

// The run stopped through the error path: status 1, one line on stderr, the run directory
// moved to RUN.failed with the reason.
void expect_stopped_by_sigterm(const testing::CliResult& result, const std::string& run) {
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("shiftrec: error: interrupted by SIGTERM"), std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(run));
  EXPECT_FALSE(fs::exists(run + ".partial"));
  EXPECT_EQ(testing::read_text(run + ".failed/error.txt"), "interrupted by SIGTERM\n");
}

TEST(Cli, TerminatedRunStopsCleanlyAndKeepsItsLog) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  // SIGTERM once the first epoch is logged, so it lands in the middle of training however
  // slowly the process starts on a busy machine (a fixed 3 s could arrive before the handler).
  const auto result = run_cli(
      "train --config " + source_path("experiments/configs/quickstart.toml") +
          " --set train.epochs=10000 --set train.patience=10000 --set log_level=warn --out " + run,
      dir, terminate_when("-s " + run + ".partial/metrics.jsonl"));
  expect_stopped_by_sigterm(result, run);
  EXPECT_TRUE(fs::exists(run + ".failed/resolved.toml"));
  const std::string log = testing::read_text(run + ".failed/log.txt");
  EXPECT_NE(log.find("info: run directory: " + run), std::string::npos) << log;
  const auto error = log.find("] error: interrupted by SIGTERM\n");
  EXPECT_NE(error, std::string::npos) << log;
  EXPECT_LT(error, log.find("warn: run failed"));
}

TEST(Cli, TerminatedInterestFilterFitStopsCleanly) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  // SIGTERM a second after the run directory appears: the filter is then in its Baum-Welch
  // fit (1,000 passes, minutes), which must notice the signal, not finish first.
  const auto result = run_cli(
      "train --config " + source_path("experiments/shift_study/synthetic_interest_filter.toml") +
          " --set model.interest_filter.iterations=1000 --set log_level=warn --out " + run,
      dir, terminate_when("-d " + run + ".partial", "sleep 1; "));
  expect_stopped_by_sigterm(result, run);
}

// metrics.jsonl without its wall-clock fields, one JSON value per epoch.
std::vector<nlohmann::json> epoch_log(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(testing::read_text(path));
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    for (const char* timing : {"train_seconds", "valid_seconds"}) record.erase(timing);
    lines.push_back(record);
  }
  return lines;
}

TEST(Cli, KilledRunResumesToTheSameResultsAsAnUninterruptedOne) {
  testing::TempDir dir;
  // Dropout and BCE negatives draw from LibTorch's generator, batches from ours: all three
  // must be restored for the runs to agree.
  const std::string args =
      "--config " + source_path("experiments/configs/quickstart.toml") +
      " --set data.synthetic.users=300 --set data.synthetic.items=200 --set model.d=16"
      " --set loss.name=bce --set train.epochs=30 --set train.patience=1000 --set threads=1"
      " --set log_level=warn";
  const std::string whole = dir.file("whole"), killed = dir.file("killed");
  ASSERT_EQ(run_cli("train " + args + " --out " + whole, dir).status, 0);
  // SIGTERM once the run has logged 3 epochs (of 30): it stops where it is, in some later
  // epoch, and keeps the state of its last finished one.
  const std::string script =
      std::string(SHIFTREC_BINARY) + " train " + args + " --out " + killed +
      " 2>/dev/null & pid=$!; " + "while kill -0 $pid 2>/dev/null && [ \"$(cat " + killed +
      ".partial/metrics.jsonl 2>/dev/null | wc -l)\" -lt 3 ]; do sleep 0.01; done; "
      "kill -TERM $pid; wait $pid";
  testing::command_output(script);
  ASSERT_TRUE(fs::exists(killed + ".failed/train_state.pt"))
      << "the run ended before the signal (raise train.epochs in this test)";
  const auto done_before = epoch_log(killed + ".failed/metrics.jsonl").size();
  // What a kill between logging an epoch and saving its state leaves, and a line cut short:
  // both are dropped on resume (the epoch is run again).
  std::ofstream(killed + ".failed/metrics.jsonl", std::ios::app)
      << "{\"epoch\": 29, \"train_loss\": 1.0}\n{\"epoch\": 30, \"tra";

  // The state belongs to the run's stored resolved.toml: edited, the run is refused (and left
  // as it was); restored, it resumes.
  const std::string stored = testing::read_text(killed + ".failed/resolved.toml");
  const auto option = stored.find("d = 16\n");
  ASSERT_NE(option, std::string::npos);
  testing::write_text(killed + ".failed/resolved.toml",
                      stored.substr(0, option) + "d = 32\n" + stored.substr(option + 7));
  const auto refused = run_cli("resume --run " + killed + ".failed", dir);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("train_state.pt: training state of another config or data"),
            std::string::npos)
      << refused.err;
  testing::write_text(killed + ".failed/resolved.toml", stored);
  const auto resumed = run_cli("resume --run " + killed + ".failed", dir);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_FALSE(fs::exists(killed + ".failed"));
  EXPECT_FALSE(fs::exists(killed + ".partial"));
  EXPECT_FALSE(fs::exists(killed + "/train_state.pt"));  // a complete run does not need it
  const auto a = nlohmann::json::parse(testing::read_text(whole + "/results.json"));
  const auto b = nlohmann::json::parse(testing::read_text(killed + "/results.json"));
  EXPECT_EQ(a["splits"], b["splits"]);  // every metric, to the last digit
  EXPECT_EQ(a["best_epoch"], b["best_epoch"]);
  EXPECT_EQ(b["epochs_run"], 30);
  EXPECT_EQ(a["resumed_after_epochs"], nlohmann::json::array());
  ASSERT_EQ(b["resumed_after_epochs"].size(), 1u);
  const int64_t resumed_after = b["resumed_after_epochs"][0];
  EXPECT_GE(resumed_after, 3);
  EXPECT_LE(resumed_after, static_cast<int64_t>(done_before));
  // One log section per process that trained the run: killed, resumed (the refused resume
  // stopped before touching it).
  const std::string log = testing::read_text(killed + "/log.txt");
  EXPECT_EQ(count_of(log, " UTC ---\n"), 2) << log;
  EXPECT_EQ(count_of(log, "error: interrupted by SIGTERM\n"), 1) << log;
  EXPECT_EQ(count_of(log, "training state of another config or data"), 0) << log;
  EXPECT_NE(log.find("resuming after epoch " + std::to_string(resumed_after)), std::string::npos)
      << log;
  EXPECT_EQ(epoch_log(whole + "/metrics.jsonl"), epoch_log(killed + "/metrics.jsonl"));

  const auto again = run_cli("resume --run " + killed, dir);
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "shiftrec: error: run directory " + killed +
                           " is already complete; nothing to resume\n");
}

TEST(Cli, RunsWithPassiveOpenMPWaitsUnlessTheUserChoseOtherwise) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  // Started without OMP_WAIT_POLICY, shiftrec restarts itself with passive waits
  // (core/openmp_waits.h); a policy the user set is kept. results.json records it.
  for (const auto& [prefix, expected] : std::vector<std::pair<std::string, std::string>>{
           {"env -u OMP_WAIT_POLICY", "passive"}, {"env OMP_WAIT_POLICY=active", "active"}}) {
    const std::string run = dir.file(expected);
    const auto result = run_cli(train_args(config, run), dir, prefix);
    ASSERT_EQ(result.status, 0) << result.err;
    const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
    EXPECT_EQ(results["openmp_wait_policy"], expected) << prefix;
  }
}

TEST(Cli, SweepRunsTheGridOverSeedsSkipsWhatIsDoneAndResumesWhatStopped) {
  testing::TempDir dir;
  const std::string out = dir.file("sweep");
  const std::string args = "sweep --config " + source_path("experiments/configs/quickstart.toml") +
                           kTiny + " --set threads=1 --grid 'loss.name=[\"ce\", \"bce\"]'" +
                           " --seeds 1,2 --metrics ndcg@10,SHIFT:recall@10 --out " + out;
  const auto first = run_cli(args, dir);
  ASSERT_EQ(first.status, 0) << first.err;
  for (const char* run : {"loss.name=ce,seed=1", "loss.name=ce,seed=2", "loss.name=bce,seed=1",
                          "loss.name=bce,seed=2"}) {
    EXPECT_TRUE(fs::exists(out + "/" + run + "/results.json")) << run;
  }
  // Two variants of two runs each, the table the leaderboard command prints for them.
  EXPECT_EQ(count_lines(first.out), 4) << first.out;
  EXPECT_NE(first.out.find("| loss.name=ce | 2 |"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("| loss.name=bce | 2 |"), std::string::npos) << first.out;
  const auto board = run_cli("leaderboard " + out + "/* --metrics ndcg@10,SHIFT:recall@10 --json " +
                                 dir.file("board.json"),
                             dir);
  EXPECT_EQ(board.out, first.out);
  const auto table = nlohmann::json::parse(testing::read_text(dir.file("board.json")));
  ASSERT_EQ(table["rows"].size(), 2u);
  for (const auto& row : table["rows"]) {  // the mean over the row's runs' results.json
    double sum = 0.0;
    for (const auto& run : row["runs"]) {
      sum += nlohmann::json::parse(testing::read_text(
          run.get<std::string>() + "/results.json"))["splits"]["test"]["metrics"]["ndcg@10"]
                 .get<double>();
    }
    EXPECT_NEAR(row["mean"]["ndcg@10"].get<double>(), sum / 2, 1e-12);
  }
  // Seed groups: each side's per-query values averaged over its seeds, then paired; the
  // overall means are the groups' mean metrics; --holm adjusts over every test it reports.
  const auto grouped = run_cli("compare --holm --json " + dir.file("groups.json") + " " + out +
                                   "/loss.name=ce,seed=1 " + out + "/loss.name=ce,seed=2 -- " +
                                   out + "/loss.name=bce,seed=1 " + out + "/loss.name=bce,seed=2",
                               dir);
  ASSERT_EQ(grouped.status, 0) << grouped.err;
  EXPECT_NE(grouped.out.find("A = 2 runs ("), std::string::npos) << grouped.out;
  EXPECT_NE(grouped.out.find("note: seed groups: each query's value is the mean over its group's "
                             "runs (2 in A, 2 in B)"),
            std::string::npos)
      << grouped.out;
  const auto comparison = nlohmann::json::parse(testing::read_text(dir.file("groups.json")));
  const auto test_metric = [&](const std::string& run) {
    return nlohmann::json::parse(testing::read_text(
        out + "/" + run + "/results.json"))["splits"]["test"]["metrics"]["ndcg@10"]
        .get<double>();
  };
  std::vector<double> p_values;
  for (const auto& row : comparison["rows"]) p_values.push_back(row["wilcoxon_p"]);
  EXPECT_EQ(comparison["tests"].get<size_t>(), p_values.size());
  EXPECT_NE(grouped.out.find(std::to_string(p_values.size()) + " tests, p_holm adjusted"),
            std::string::npos);
  bool seen = false;
  for (const auto& row : comparison["rows"]) {
    const double p = row["wilcoxon_p"], holm = row["wilcoxon_p_holm"];
    const size_t smaller = static_cast<size_t>(
        std::count_if(p_values.begin(), p_values.end(), [&](double q) { return q < p; }));
    EXPECT_GE(holm, std::min(1.0, p * static_cast<double>(p_values.size() - smaller)) - 1e-12);
    EXPECT_LE(holm, 1.0);
    if (row["metric"] == "ndcg@10" && row["group"] == "ALL") {
      seen = true;
      EXPECT_NEAR(row["a"].get<double>(),
                  (test_metric("loss.name=ce,seed=1") + test_metric("loss.name=ce,seed=2")) / 2,
                  1e-9);
      EXPECT_NEAR(row["b"].get<double>(),
                  (test_metric("loss.name=bce,seed=1") + test_metric("loss.name=bce,seed=2")) / 2,
                  1e-9);
    }
  }
  EXPECT_TRUE(seen);
  const auto three = run_cli("compare " + out + "/loss.name=ce,seed=1 " + out +
                                 "/loss.name=ce,seed=2 " + out + "/loss.name=bce,seed=1",
                             dir);
  EXPECT_EQ(three.status, 1);
  EXPECT_NE(three.err.find("got 3 runs and no --"), std::string::npos) << three.err;
  // A seed sweep varies the model, not the data: every run saw the same synthetic set.
  const auto fingerprint = [&](const std::string& run) {
    return nlohmann::json::parse(
               testing::read_text(out + "/" + run + "/results.json"))["data_fingerprint"]
        .get<std::string>();
  };
  EXPECT_EQ(fingerprint("loss.name=ce,seed=1"), fingerprint("loss.name=ce,seed=2"));
  // The same sweep again: complete runs are skipped; a stopped one is resumed.
  fs::rename(out + "/loss.name=bce,seed=2", out + "/loss.name=bce,seed=2.failed");
  const auto again = run_cli(args + " --set log_level=info", dir);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, first.out);  // the resumed run trains to the same result
  EXPECT_NE(again.err.find("[1/4] loss.name=ce,seed=1: complete, skipped"), std::string::npos);
  EXPECT_NE(again.err.find("[4/4] loss.name=bce,seed=2: stopped earlier, resuming"),
            std::string::npos)
      << again.err;
  // Two runs at a time in child processes: the same runs, the same table; a run that fails
  // (here: a stopped run with nothing in it) is reported with its error line, the others go on.
  const std::string out_jobs = dir.file("sweep_jobs");
  const std::string args_jobs =
      args.substr(0, args.find(" --out ")) + " --jobs 2 --out " + out_jobs;
  fs::create_directories(out_jobs + "/loss.name=ce,seed=2.partial");
  const auto broken = run_cli(args_jobs, dir);
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("loss.name=ce,seed=2 failed (exit status 1): " + out_jobs +
                            "/loss.name=ce,seed=2.partial/resolved.toml: missing"),
            std::string::npos)
      << broken.err;
  EXPECT_NE(broken.err.find("1 of 4 sweep runs failed (loss.name=ce,seed=2)"), std::string::npos);
  EXPECT_TRUE(fs::exists(out_jobs + "/loss.name=bce,seed=2/results.json"));
  fs::remove_all(out_jobs + "/loss.name=ce,seed=2.failed");
  const auto jobs = run_cli(args_jobs, dir);
  ASSERT_EQ(jobs.status, 0) << jobs.err;
  EXPECT_EQ(jobs.out, first.out);
  const auto parallel = run_cli(args, dir, "WORLD_SIZE=2");
  EXPECT_EQ(parallel.status, 1);
  EXPECT_NE(parallel.err.find("sweep runs one process per run; unset WORLD_SIZE"),
            std::string::npos);
  // A key no variant reads: one error before any run starts.
  const auto typo = run_cli("sweep --config " + source_path("experiments/configs/quickstart.toml") +
                                kTiny + " --grid 'model.dd=[8, 16]' --out " + dir.file("typo"),
                            dir);
  EXPECT_EQ(typo.status, 1);
  EXPECT_NE(typo.err.find("sweep run model.dd=8: "), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("unknown key 'model.dd'"), std::string::npos) << typo.err;
  EXPECT_FALSE(fs::exists(dir.file("typo")));
}

TEST(Cli, ASweepStoppedBySigtermStopsItsRunningChildrenCleanlyAndResumesThem) {
  testing::TempDir dir;
  const std::string out = dir.file("sweep");
  const std::string args = "sweep --config " + source_path("experiments/configs/quickstart.toml") +
                           kTiny + " --set train.epochs=40 --set train.patience=100" +
                           " --set threads=1 --seeds 1,2 --jobs 2 --out " + out;
  const std::string a = out + "/seed=1", b = out + "/seed=2";
  // SIGTERM to the sweep alone once both runs have logged an epoch.
  const std::string stopped = testing::command_output(
      std::string(SHIFTREC_BINARY) + " " + args + " 2>/dev/null & pid=$!; " +
      "while kill -0 $pid 2>/dev/null && ! { [ -s " + a + ".partial/metrics.jsonl ] && [ -s " + b +
      ".partial/metrics.jsonl ]; }; do sleep 0.05; done; kill -TERM $pid; wait $pid; " +
      "echo status $?");
  EXPECT_EQ(stopped, "status 1\n");
  for (const auto& run : {a, b}) {  // each child stopped at a step and kept its state
    EXPECT_EQ(testing::read_text(run + ".failed/error.txt"), "interrupted by SIGTERM\n") << run;
    EXPECT_TRUE(fs::exists(run + ".failed/train_state.pt")) << run;
  }
  const auto resumed = run_cli(args + " --set log_level=info", dir);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("[2/2] seed=2: stopped earlier, resuming"), std::string::npos);
  for (const auto& run : {a, b}) {
    const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
    EXPECT_EQ(results["epochs_run"], 40) << run;
    EXPECT_FALSE(results["resumed_after_epochs"].empty()) << run;
  }
}

struct TwoRanks {
  int status0 = -1, status1 = -1;
  std::string log0, log1;
};

// Runs rank 0 and rank 1 of a two-process group on a free port, each `shiftrec` with its own
// arguments. With `stop_when` (a shell condition), both get SIGTERM once it holds.
TwoRanks run_two_ranks(const testing::TempDir& dir, const std::string& rank0_arguments,
                       const std::string& rank1_arguments, const std::string& stop_when = "",
                       const std::string& stop = "kill -TERM $p0 $p1") {
  // A free port for the group's store: bind port 0 and read back what the kernel gave.
  const std::string port = testing::command_output(
      "/usr/bin/python3 -c 'import socket; s=socket.socket(); "
      "s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'");
  const std::string env =
      "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port.substr(0, port.size() - 1) + " WORLD_SIZE=2 ";
  // --foreground: timeout passes a SIGTERM on to shiftrec once; without it, it also signals
  // its own process group, and shiftrec takes a second SIGTERM as "stop now" (core/interrupt).
  const std::string bin = "timeout --foreground 300 " + std::string(SHIFTREC_BINARY) + " ";
  const std::string log0 = dir.file("rank0.log"), log1 = dir.file("rank1.log");
  std::string script = env + "RANK=1 " + bin + rank1_arguments + " >" + log1 + " 2>&1 & p1=$!; " +
                       env + "RANK=0 " + bin + rank0_arguments + " >" + log0 + " 2>&1 & p0=$!; ";
  if (!stop_when.empty()) {
    script += "while kill -0 $p0 2>/dev/null && ! { " + stop_when + "; }; do sleep 0.01; done; " +
              stop + " 2>/dev/null; ";
  }
  script += "wait $p0; echo $?; wait $p1; echo $?";
  std::istringstream statuses(testing::command_output(script));
  TwoRanks result;
  statuses >> result.status0 >> result.status1;
  result.log0 = testing::read_text(log0);
  result.log1 = testing::read_text(log1);
  return result;
}

TEST(Cli, TwoDataParallelRanksTrainInStepAndRankZeroWritesTheRun) {
  testing::TempDir dir;
  const std::string args = "train --config " + source_path("experiments/configs/quickstart.toml") +
                           kTiny + " --set train.epochs=3 --set train.batch_size=16" +
                           " --set threads=1 --set log_level=info";  // 5 batches: 2 per rank
  const TwoRanks ranks =
      run_two_ranks(dir, args + " --out " + dir.file("run"), args + " --out " + dir.file("rank1"));
  // Both ranks end well: the end-of-training check found the same parameters on both.
  EXPECT_EQ(ranks.status0, 0) << ranks.log0;
  EXPECT_EQ(ranks.status1, 0) << ranks.log1;
  const auto results = nlohmann::json::parse(testing::read_text(dir.file("run/results.json")));
  EXPECT_EQ(results["data_parallel_ranks"], 2);
  EXPECT_EQ(results["epochs_run"], 3);
  EXPECT_FALSE(fs::exists(dir.file("rank1")));  // only rank 0 writes
  EXPECT_FALSE(fs::exists(dir.file("rank1.partial")));
  // Both ranks log the same mean loss over the ranks for every epoch.
  for (const auto& line : epoch_log(dir.file("run/metrics.jsonl"))) {
    char loss[64];
    std::snprintf(loss, sizeof(loss), "epoch %d loss %f", line["epoch"].get<int>(),
                  line["train_loss"].get<double>());
    EXPECT_NE(ranks.log1.find(loss), std::string::npos) << loss << "\n" << ranks.log1;
  }
  EXPECT_NE(ranks.log1.find("rank 1: trained 3 epochs in step with rank 0"), std::string::npos);
}

TEST(Cli, AKilledDataParallelRunResumesOnTwoRanksToTheSameResults) {
  testing::TempDir dir;
  // Dropout and BCE negatives draw from each rank's own LibTorch generator: rank 0's state file
  // must restore both ranks' for the runs to agree.
  const std::string args =
      "--config " + source_path("experiments/configs/quickstart.toml") +
      " --set data.synthetic.users=300 --set data.synthetic.items=200 --set model.d=16"
      " --set loss.name=bce --set train.epochs=30 --set train.patience=1000 --set threads=1"
      " --set train.batch_size=32 --set log_level=info";
  const std::string whole = dir.file("whole"), killed = dir.file("killed");
  const TwoRanks uninterrupted = run_two_ranks(dir, "train " + args + " --out " + whole,
                                               "train " + args + " --out " + dir.file("unused"));
  ASSERT_EQ(uninterrupted.status0, 0) << uninterrupted.log0;
  // SIGTERM to both once rank 0 has logged 3 epochs: each stops where it is.
  const TwoRanks stopped = run_two_ranks(
      dir, "train " + args + " --out " + killed, "train " + args + " --out " + dir.file("unused"),
      "[ \"$(cat " + killed + ".partial/metrics.jsonl 2>/dev/null | wc -l)\" -ge 3 ]");
  EXPECT_NE(stopped.status0, 0);
  ASSERT_TRUE(fs::exists(killed + ".failed/train_state.pt"))
      << "the run ended before the signal (raise train.epochs in this test)\n"
      << stopped.log0;
  // Its state holds two ranks' generators: a single process refuses it (the run stays stopped).
  const auto single = run_cli("resume --run " + killed, dir);
  EXPECT_EQ(single.status, 1);
  EXPECT_NE(single.err.find("train_state.pt: training state of a run on 2 data-parallel rank(s);"
                            " resume it with WORLD_SIZE=2 (this process has WORLD_SIZE=1)"),
            std::string::npos)
      << single.err;
  // Rank 0 reads the run and sends rank 1 its config and state; rank 1 is given no folder of
  // its own.
  const TwoRanks resumed = run_two_ranks(dir, "resume --run " + killed + ".failed",
                                         "resume --run " + dir.file("nowhere"));
  ASSERT_EQ(resumed.status0, 0) << resumed.log0;
  ASSERT_EQ(resumed.status1, 0) << resumed.log1;
  EXPECT_NE(resumed.log1.find("resuming after epoch"), std::string::npos) << resumed.log1;
  const auto a = nlohmann::json::parse(testing::read_text(whole + "/results.json"));
  const auto b = nlohmann::json::parse(testing::read_text(killed + "/results.json"));
  EXPECT_EQ(a["splits"]["test"]["metrics"], b["splits"]["test"]["metrics"]);
  EXPECT_EQ(a["splits"]["valid"]["metrics"], b["splits"]["valid"]["metrics"]);
  EXPECT_EQ(b["data_parallel_ranks"], 2);
  EXPECT_FALSE(b["resumed_after_epochs"].empty());
  EXPECT_EQ(epoch_log(whole + "/metrics.jsonl"), epoch_log(killed + "/metrics.jsonl"));
  // Rank 0's log: one section per process that worked on the run (killed, refused, resumed).
  const std::string log = testing::read_text(killed + "/log.txt");
  EXPECT_EQ(count_of(log, " UTC ---\n"), 3) << log;
  // Two errors: the stopped run's (SIGTERM, or the broken connection when rank 1 stopped
  // first) and the refusal.
  EXPECT_EQ(count_of(log, "] error: "), 2) << log;
  EXPECT_EQ(count_of(log, "resume it with WORLD_SIZE=2"), 1) << log;
  EXPECT_EQ(count_of(log, "resuming after epoch"), 1) << log;
  EXPECT_FALSE(fs::exists(dir.file("nowhere")));
}

// Ranks: a rank killed outright is named by the one that remains (from the heartbeats in the
// group's store), instead of Gloo's "Connection closed by peer"; a rank that never arrives is
// an error after train.collective_timeout, not a silent 30-minute wait.
TEST(Cli, AKilledRankIsNamedAndAMissingRankTimesOut) {
  testing::TempDir dir;
  const std::string args = "train --config " + source_path("experiments/configs/quickstart.toml") +
                           " --set data.synthetic.users=300 --set data.synthetic.items=200"
                           " --set model.d=16 --set train.epochs=200 --set train.patience=1000"
                           " --set threads=1 --set train.batch_size=32 --set log_level=info";
  const std::string run = dir.file("run");
  const TwoRanks killed =
      run_two_ranks(dir, args + " --out " + run, args + " --out " + dir.file("unused"),
                    "[ \"$(cat " + run + ".partial/metrics.jsonl 2>/dev/null | wc -l)\" -ge 2 ]",
                    "pkill -KILL -P $p1");  // p1 is timeout(1): kill its shiftrec outright
  EXPECT_EQ(killed.status0, 1) << killed.log0;
  EXPECT_NE(killed.log0.find("shiftrec: error: data-parallel: rank 0 of 2: "), std::string::npos)
      << killed.log0;
  EXPECT_NE(killed.log0.find("failed: rank 1 (stopped: not heard from for "), std::string::npos)
      << killed.log0;
  EXPECT_TRUE(fs::exists(run + ".failed/train_state.pt"));  // resumable once rank 1 is back

  const std::string port = testing::command_output(
      "/usr/bin/python3 -c 'import socket; s=socket.socket(); "
      "s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'");
  const auto alone =
      run_cli(args + " --set train.collective_timeout=2 --out " + dir.file("alone"), dir,
              "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port.substr(0, port.size() - 1) +
                  " WORLD_SIZE=2 RANK=0 timeout 60");
  EXPECT_EQ(alone.status, 1) << alone.err;
  EXPECT_NE(alone.err.find("data-parallel: rank 0 of 2 gave up after 2 s "
                           "(train.collective_timeout) waiting for the group: 1 of 2 ranks have "
                           "joined"),
            std::string::npos)
      << alone.err;
}

TEST(Cli, EvalDumpAgreesWithItsTopKAndWithResults) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  ASSERT_EQ(
      run_cli(train_args(source_path("experiments/configs/quickstart.toml"), run), dir).status, 0);
  const auto eval = run_cli("eval --run " + run + " --dump-topk " + dir.file("top.tsv"), dir);
  ASSERT_EQ(eval.status, 0) << eval.err;
  std::istringstream dump(testing::read_text(dir.file("top.tsv")));
  std::string line;
  std::getline(dump, line);
  EXPECT_EQ(line, "split\tuser\ttarget\trank\tlabel\ttopk");
  int64_t rows = 0;
  double recall = 0, ndcg = 0;
  while (std::getline(dump, line)) {
    std::istringstream row(line);
    std::string split, label;
    int64_t user, target, rank;
    row >> split >> user >> target >> rank >> label;
    std::vector<int64_t> top;
    for (int64_t item; row >> item;) top.push_back(item);
    ASSERT_EQ(top.size(), 20u);  // the largest configured k
    EXPECT_EQ(split, "test");
    const auto at = std::find(top.begin(), top.end(), target);
    // Pessimistic ranks: a target ranked within k is in the list, never below its rank;
    // a target in the list sits at or above its rank.
    if (rank <= 20) EXPECT_NE(at, top.end()) << line;
    if (at != top.end()) EXPECT_LE(at - top.begin() + 1, rank) << line;
    recall += rank <= 10 ? 1.0 : 0.0;
    ndcg += rank <= 10 ? 1.0 / std::log2(rank + 1.0) : 0.0;
    ++rows;
  }
  EXPECT_EQ(rows, 80);
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_NEAR(recall / rows, results["splits"]["test"]["metrics"]["recall@10"].get<double>(), 1e-9);
  EXPECT_NEAR(ndcg / rows, results["splits"]["test"]["metrics"]["ndcg@10"].get<double>(), 1e-9);

  const auto bad_split = run_cli("eval --run " + run + " --split train", dir);
  EXPECT_EQ(bad_split.status, 1);
  EXPECT_NE(bad_split.err.find("unknown split \"train\", expected valid or test"),
            std::string::npos);
  const auto missing = run_cli("eval --run " + dir.file("nope"), dir);
  EXPECT_NE(missing.err.find(dir.file("nope") + ": no such run directory"), std::string::npos);
  std::string text = testing::read_text(run + "/results.json");
  text.replace(text.find("\"run_format\": 1"), 15, "\"run_format\": 9");
  testing::write_text(run + "/results.json", text);
  // Every reader of a run (results.json has one owner) refuses it with the same line.
  const std::string refused =
      run + "/results.json: written by an incompatible shiftrec (run_format 9, expected 1)\n";
  for (const std::string command :
       {"eval --run " + run, "leaderboard " + run, "compare " + run + " " + run,
        "export --run " + run + " --out " + dir.file("e.h5")}) {
    const auto old = run_cli(command, dir);
    EXPECT_EQ(old.status, 1) << command;
    EXPECT_EQ(old.err, "shiftrec: error: " + refused) << command;
  }
  text.replace(text.find("\"run_format\": 9"), 15, "\"run_format\": 1");
  text.replace(text.find("\"best_epoch\""), 12, "\"best_epoc\"");
  testing::write_text(run + "/results.json", text);
  const auto broken = run_cli("leaderboard " + run, dir);
  EXPECT_NE(broken.err.find(run + "/results.json: not a shiftrec results file"), std::string::npos)
      << broken.err;
}

// Sampled protocols store their negatives with the run; eval --run ranks against exactly those,
// and runs on other candidates are neither re-evaluated nor compared.
TEST(Cli, SampledNegativesAreStoredReusedAndGuardComparisons) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  const std::string a = dir.file("a"), b = dir.file("b"), c = dir.file("c");
  const std::string pop =
      " --set 'eval.protocol=\"pop20\"' --set 'eval.metrics=[\"recall\",\"ndcg\"]'";
  for (const auto& [run, extra] : {std::pair{a, ""},
                                   {b, " --set seed=7 --set data.synthetic.seed=42"},
                                   {c, " --set eval.negatives_seed=5"}}) {
    const auto trained = run_cli(train_args(config, run) + pop + extra, dir);
    ASSERT_EQ(trained.status, 0) << trained.err;
  }
  for (const auto& run : {a, b, c}) EXPECT_TRUE(fs::exists(run + "/negatives.h5")) << run;
  // targets.tsv: a header and one row per valid and test target, ranks among 21 candidates.
  const std::string table = testing::read_text(a + "/targets.tsv");
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "split\tuser\tposition\titem\thistory\trank\tlabel\tshift_score");
  EXPECT_EQ(count_lines(table), 1 + 80 + 80);
  const auto results = nlohmann::json::parse(testing::read_text(a + "/results.json"));
  // Shift detection of the model and both baselines, and the planted change points scored.
  const auto& detection = results["splits"]["test"]["shift_detection"];
  for (const char* score : {"model", "past_shift_rate", "time_since_previous"}) {
    const double auc = detection["scores"][score]["roc_auc"].get<double>();
    EXPECT_TRUE(auc >= 0.0 && auc <= 1.0) << score;
  }
  EXPECT_GT(detection["shifts"].get<int64_t>(), 0);
  EXPECT_GT(results["change_points"]["planted"].get<int64_t>(), 0);
  EXPECT_GE(results["change_points"]["f1"].get<double>(), 0.0);
  // Another model seed, the same candidates: the negatives do not follow the run seed.
  const auto results_b = nlohmann::json::parse(testing::read_text(b + "/results.json"));
  EXPECT_EQ(results["splits"]["test"]["candidates"], results_b["splits"]["test"]["candidates"]);

  // Re-evaluation from the stored negatives reproduces results.json.
  const auto eval = run_cli("eval --run " + a, dir);
  ASSERT_EQ(eval.status, 0) << eval.err;
  std::istringstream lines(eval.out);
  std::string name;
  double value = 0;
  int checked = 0;
  while (lines >> name >> value) {
    if (name.rfind("shift_", 0) == 0) continue;  // detection AUCs, checked elsewhere
    EXPECT_NEAR(value, results["splits"]["test"]["metrics"][name].get<double>(), 1e-6) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
  const auto same = run_cli("compare " + a + " " + b, dir);
  EXPECT_EQ(same.status, 0) << same.err;
  EXPECT_NE(same.out.find("ndcg@10"), std::string::npos) << same.out;
  // Other negatives: comparing is refused, and so is evaluating a run with foreign negatives.
  const auto other = run_cli("compare " + a + " " + c, dir);
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("targets or candidates differ"), std::string::npos) << other.err;
  fs::copy_file(c + "/negatives.h5", a + "/negatives.h5", fs::copy_options::overwrite_existing);
  const auto foreign = run_cli("eval --run " + a, dir);
  EXPECT_EQ(foreign.status, 1);
  EXPECT_NE(foreign.err.find("differ from the ones the run was scored on"), std::string::npos)
      << foreign.err;
  fs::remove(a + "/negatives.h5");
  const auto missing = run_cli("eval --run " + a, dir);
  EXPECT_NE(missing.err.find("no negatives.h5"), std::string::npos) << missing.err;
}

TEST(Cli, ExportWritesEmbeddingsThatH5pyReads) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  ASSERT_EQ(
      run_cli(train_args(source_path("experiments/configs/quickstart.toml"), run), dir).status, 0);
  const auto exported = run_cli("export --run " + run + " --out " + dir.file("emb.h5"), dir);
  ASSERT_EQ(exported.status, 0) << exported.err;
  testing::write_text(
      dir.file("read.py"),
      "import json, h5py, numpy\n"
      "with h5py.File('" +
          dir.file("emb.h5") +
          "', 'r') as f:\n"
          "    u, i = f['user_embeddings'][()], f['item_embeddings'][()]\n"
          "    print(json.dumps({'users': list(u.shape), 'items': list(i.shape),\n"
          "        'finite': bool(numpy.isfinite(u).all() and numpy.isfinite(i).all()),\n"
          "        'nonzero': bool(numpy.abs(i).sum() > 0),\n"
          "        'user_ids': sorted(f['user_ids'][()].tolist()) == list(range(80)),\n"
          "        'categories': len(f['item_categories']),\n"
          "        'config_hash': f.attrs['config_hash'], 'model': f.attrs['model']}))\n");
  // Debian's python3 (with python3-h5py), as a user's notebook reads it.
  int status = -1;
  const std::string out =
      testing::command_output("/usr/bin/python3 " + dir.file("read.py") + " 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  const auto h5 = nlohmann::json::parse(out);
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(h5["users"], nlohmann::json::parse("[80, 16]"));
  EXPECT_EQ(h5["items"], nlohmann::json::parse("[60, 16]"));
  EXPECT_EQ(h5["finite"], true);
  EXPECT_EQ(h5["nonzero"], true);
  EXPECT_EQ(h5["user_ids"], true);
  EXPECT_EQ(h5["categories"], 60);
  EXPECT_EQ(h5["config_hash"], results["config_hash"]);
  EXPECT_EQ(h5["model"], "sasrec");
  const auto missing =
      run_cli("export --run " + dir.file("none") + " --out " + dir.file("x.h5"), dir);
  EXPECT_EQ(missing.status, 1);
  EXPECT_FALSE(fs::exists(dir.file("x.h5")));
}

TEST(Cli, ModelsListsTheRegistry) {
  testing::TempDir dir;
  const auto result = run_cli("models", dir);
  ASSERT_EQ(result.status, 0);
  EXPECT_NE(result.out.find("sasrec: SASRec"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("popularity: "), std::string::npos) << result.out;
}

// Inputs that used to pass silently: a folder as --config (trained with defaults), a split
// without test targets (metrics of nothing, 0.0), data generate over real data (wrote
// synthetic data anyway).
// `options` lists what a config resolves to before its data exists (a new user writing a
// config for files still to be downloaded), including the reader's, split's and model
// parts' options; unknown keys are still errors.
TEST(Cli, OptionsListsEveryOptionWithoutTheData) {
  testing::TempDir dir;
  testing::write_text(dir.file("c.toml"),
                      "[data]\nsource = \"csv\"\nroot = \"" + dir.file("not-yet") +
                          "\"\npath = \"inter.csv\"\nitem_file = \"items.csv\"\n"
                          "[split]\nprotocol = \"given\"\n"
                          "[model]\nitem_encoder = \"lightgcn\"\nsequence = \"sasrec\"\n"
                          "[eval]\nks = [10, 500]\n");
  auto result = run_cli("options --config " + dir.file("c.toml"), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  for (const char* option :
       {"data.path = 'inter.csv'", "data.item_file = 'items.csv'", "data.item_file_id_column = ",
        "data.cache_dir = ", "data.min_user_interactions = ", "split.protocol = 'given'",
        "model.lightgcn.layers = ", "model.sasrec.blocks = ", "eval.ks = [ 10, 500 ]"}) {
    EXPECT_NE(result.out.find(option), std::string::npos) << option << "\n" << result.out;
  }
  EXPECT_EQ(result.err.find("data:"), std::string::npos) << result.err;  // no stand-in counts
  result = run_cli("options --config " + dir.file("c.toml") + " --set data.item_fil=x", dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("data.item_fil"), std::string::npos) << result.err;
  // Training still needs the data: the missing file is named.
  result = run_cli("train --config " + dir.file("c.toml") + " --out " + dir.file("run"), dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find(dir.file("not-yet/inter.csv") + ": cannot open"), std::string::npos)
      << result.err;
}

// Shift-first model selection: the epoch kept is the one with the best validation SHIFT
// Recall@10, logged per epoch; a label or metric that cannot be selected on is a config error.
TEST(Cli, EarlyStoppingCanSelectOnAShiftLabelsMetric) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const std::string config = source_path("experiments/configs/quickstart.toml");
  auto result = run_cli("train --config " + config + kTiny +
                            " --set train.epochs=4 --set train.early_stop_metric=SHIFT:recall@10"
                            " --out " +
                            run,
                        dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(results["early_stop_metric"], "SHIFT:recall@10");
  std::istringstream lines(testing::read_text(run + "/metrics.jsonl"));
  int64_t best_epoch = 0;
  double best = -1.0;
  for (std::string line; std::getline(lines, line);) {
    const auto epoch = nlohmann::json::parse(line);
    if (!epoch.contains("valid")) continue;
    const double value = epoch["valid"]["SHIFT:recall@10"];
    if (value > best) {
      best = value;
      best_epoch = epoch["epoch"];
    }
  }
  EXPECT_GT(best_epoch, 0);
  EXPECT_EQ(results["best_epoch"], best_epoch);
  // The best epoch's valid SHIFT Recall@10 is what results.json reports for valid's SHIFT.
  EXPECT_NEAR(
      results["splits"]["valid"]["by_shift_label"]["SHIFT"]["metrics"]["recall@10"].get<double>(),
      best, 1e-9);

  for (const auto& [value, message] : std::vector<std::pair<std::string, std::string>>{
           {"SHIFTY:recall@10", "\"SHIFTY\" is not a shift label; expected one of: REPEAT-ITEM"},
           {"SHIFT:recal@10",
            "\"SHIFT:recal@10\" is not computed per label (rank metrics only) "
            "(did you mean \"recall@10\"?)"},
           {"ndcg@5", "\"ndcg@5\" is not computed (did you mean \"ndcg@10\"?)"}}) {
    result = run_cli(
        train_args(config, dir.file("bad")) + " --set train.early_stop_metric=" + value, dir);
    EXPECT_EQ(result.status, 1) << value;
    EXPECT_NE(result.err.find("train.early_stop_metric: " + message), std::string::npos)
        << result.err;
  }
}

TEST(Cli, SilentAcceptsAreErrors) {
  testing::TempDir dir;
  auto result = run_cli("train --config " + dir.path() + " --out " + dir.file("run"), dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "shiftrec: error: " + dir.path() + ": is a directory, not a TOML config file\n");
  result = run_cli(train_args(source_path("experiments/configs/quickstart.toml"), dir.file("run")) +
                       " --set split.protocol=temporal --set split.valid_cut=3900000000"
                       " --set split.test_cut=4000000000",
                   dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("split.protocol: the temporal split of these"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("has no test targets: nothing to evaluate"), std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir.file("run")));
  testing::write_text(dir.file("real.toml"), "[data]\nsource = \"s3rec\"\npath = \"x.txt\"\n");
  result =
      run_cli("data generate --config " + dir.file("real.toml") + " --out " + dir.file("gen"), dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("data.source: data generate writes a synthetic set, and this "
                            "config reads \"s3rec\""),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(dir.file("gen")));
}

TEST(Cli, VersionNamesTheProjectVersionAndTheCommit) {
  testing::TempDir dir;
  const auto result = run_cli("--version", dir);
  EXPECT_EQ(result.status, 0);
  // CMake's project version, and the commit the sources were at when the binary was built (12
  // hex digits, "-dirty" with changes to tracked files; "unknown" outside a clone).
  std::smatch match;
  ASSERT_TRUE(std::regex_match(
      result.out, match,
      std::regex("shiftrec 0\\.1\\.0 \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)\n")))
      << result.out;
  // In a clone, HEAD's commit: the binary is rebuilt before its tests, and a commit made since
  // the build was configured must not leave the old one (it did: configure-time git).
  const std::string head_file = dir.file("head");
  const std::string git = "git -C " + std::string(SHIFTREC_SOURCE_DIR) +
                          " rev-parse --short=12 HEAD >" + head_file + " 2>/dev/null";
  if (std::system(git.c_str()) == 0) {
    EXPECT_EQ(match[1].str().substr(0, 12), testing::read_text(head_file).substr(0, 12))
        << result.out;
  }
}

TEST(Cli, ATypoedCommandSuggestsTheNearestOne) {
  testing::TempDir dir;
  auto result = run_cli("trian --config x.toml", dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err,
            "shiftrec: error: unknown command \"trian\" (did you mean \"train\"?); shiftrec "
            "--help lists them\n");
  result = run_cli("data stat --config x.toml", dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("unknown command \"data stat\" (did you mean \"data stats\"?)"),
            std::string::npos)
      << result.err;
}

TEST(Cli, DataStatsReportsCountsAndShiftLabelShares) {
  testing::TempDir dir;
  const auto result =
      run_cli("data stats --config " + source_path("experiments/configs/quickstart.toml") +
                  " --set data.synthetic.users=50 --window 5",
              dir);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("users        50\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("test targets by shift label (window 5)"), std::string::npos);
  // The label counts add up to the 50 test targets (one per user under leave-one-out).
  int64_t total = 0;
  for (const char* label : {"REPEAT-ITEM", "IN-WINDOW", "REVISIT", "NOVEL", "UNLABELLED"}) {
    const size_t at = result.out.find(std::string("  ") + label);
    ASSERT_NE(at, std::string::npos) << label;
    total += std::stoll(result.out.substr(at + 15));
  }
  EXPECT_EQ(total, 50);
}

std::string md5_of(const std::string& path) {
  return testing::command_output("md5sum '" + path + "'").substr(0, 32);
}

// Issue 19: weak shift labels are said loudly, in data stats and in the run; data stats reads
// the config as train does.
TEST(Cli, WeakShiftLabelsAreWarnedAboutInDataStatsAndInTheRun) {
  testing::TempDir dir;
  // Every item is in "All"; only items 1 and 2 have a category of their own.
  std::string rows = "user,item,time,category\n";
  for (int u = 0; u < 20; ++u) {
    for (int k = 0; k < 6; ++k) {
      const int item = (u + k) % 9;
      rows += std::to_string(u) + "," + std::to_string(item) + "," + std::to_string(k) + ",All" +
              (item == 1   ? "|Books"
               : item == 2 ? "|Toys"
                           : "") +
              "\n";
    }
  }
  testing::write_text(dir.file("d.csv"), rows);
  testing::write_text(dir.file("c.toml"),
                      "[data]\nsource = \"csv\"\npath = \"" + dir.file("d.csv") +
                          "\"\nuser_column = \"user\"\nitem_column = \"item\"\n"
                          "time_column = \"time\"\ncategory_column = \"category\"\n"
                          "[model]\nd = 8\n[train]\nepochs = 1\nearly_stop_metric = \"ndcg@5\"\n"
                          "[eval]\nks = [5]\n");
  const auto stats = run_cli("data stats --config " + dir.file("c.toml"), dir);
  ASSERT_EQ(stats.status, 0) << stats.err;
  EXPECT_NE(stats.out.find("warning: category \"All\" is on 100.0% of items and is ignored for "
                           "shift labels (eval.common_category_share = 0.90)"),
            std::string::npos)
      << stats.out;
  EXPECT_NE(stats.out.find("of the 20 targets are UNLABELLED"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("(window 50)"), std::string::npos);  // eval.shift_window's default
  // Honours eval.common_category_share: at 1.0 nothing is ignored, every target is labelled —
  // and "All" keeps every target inside the window's categories, which is said instead.
  const auto all = run_cli(
      "data stats --config " + dir.file("c.toml") + " --set eval.common_category_share=1.0", dir);
  EXPECT_EQ(all.out.find("is ignored for shift labels"), std::string::npos) << all.out;
  EXPECT_EQ(all.out.find("UNLABELLED ("), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("warning: only 0 of the 20 labelled targets (0.0%) are SHIFT"),
            std::string::npos)
      << all.out;
  // Rejects what train rejects.
  const auto typo =
      run_cli("data stats --config " + dir.file("c.toml") + " --set train.epoch=3", dir);
  EXPECT_EQ(typo.status, 1);
  EXPECT_NE(typo.err.find("unknown key 'train.epoch' (did you mean 'train.epochs'?)"),
            std::string::npos)
      << typo.err;
  // The run says it too.
  const auto trained =
      run_cli("train --config " + dir.file("c.toml") + " --out " + dir.file("run"), dir);
  ASSERT_EQ(trained.status, 0) << trained.err;
  EXPECT_NE(trained.err.find("warn: test shift labels: category \"All\" is on 100.0% of items"),
            std::string::npos)
      << trained.err;
}

// Issue 15: the console summary of train and eval shows the per-label table and the shift-
// detection AUCs next to their baselines, the same numbers as results.json.
TEST(Cli, TheConsoleSummaryShowsThePerLabelTableAndTheDetectionAUCs) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto trained = run_cli(
      train_args(source_path("experiments/configs/quickstart.toml"), run) + " --set log_level=info",
      dir);
  ASSERT_EQ(trained.status, 0) << trained.err;
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  const auto& shift = results["splits"]["test"]["by_shift_label"]["SHIFT"];
  char row[128];
  std::snprintf(row, sizeof row, "  SHIFT       %8lld",
                static_cast<long long>(shift["count"].get<int64_t>()));
  char recall[32];
  std::snprintf(recall, sizeof recall, "%.4f", shift["metrics"]["recall@10"].get<double>());
  const auto& model = results["splits"]["test"]["shift_detection"]["scores"]["model"];
  char auc[64];
  std::snprintf(auc, sizeof auc, "ROC-AUC %.3f  PR-AUC %.3f", model["roc_auc"].get<double>(),
                model["pr_auc"].get<double>());
  for (const std::string& console : {trained.err, run_cli("eval --run " + run, dir).err}) {
    EXPECT_NE(console.find("test targets by shift label (window 50):"), std::string::npos)
        << console;
    EXPECT_NE(console.find("label          count   share  recall@10  ndcg@10  newcat_hit@10"),
              std::string::npos);
    const size_t at = console.find(row);
    ASSERT_NE(at, std::string::npos) << row << "\n" << console;
    EXPECT_NE(console.substr(at, console.find('\n', at) - at).find(recall), std::string::npos);
    EXPECT_NE(console.find("  model"), std::string::npos);
    EXPECT_NE(console.find(auc), std::string::npos) << auc << "\n" << console;
    EXPECT_NE(console.find("(baseline)"), std::string::npos);
  }
}

TEST(Cli, DataFetchChecksAndUnpacksFromALocalCopy) {
  testing::TempDir dir;
  // A local "official" archive: ml-mini/ratings.dat zipped (with Debian's python3 zipfile),
  // and a gzip file with no published checksum.
  fs::create_directories(dir.file("src/ml-mini"));
  testing::write_text(dir.file("src/ml-mini/ratings.dat"), "1::2::5::9\n");
  ASSERT_EQ(std::system(
                ("cd " + dir.file("src") + " && /usr/bin/python3 -m zipfile -c ../mini.zip ml-mini")
                    .c_str()),
            0);
  testing::write_text(dir.file("checkins.txt"), "0\t2010-10-19T23:55:27Z\n");
  ASSERT_EQ(std::system(("gzip -k " + dir.file("checkins.txt")).c_str()), 0);
  const std::string md5 = md5_of(dir.file("mini.zip"));
  testing::write_text(dir.file("catalog.toml"),
                      "[mini]\nurl = \"file://" + dir.file("mini.zip") + "\"\nmd5 = \"" + md5 +
                          "\"\narchive = \"zip\"\n[bad]\nurl = \"file://" + dir.file("mini.zip") +
                          "\"\nmd5 = \"00000000000000000000000000000000\"\n"
                          "[nosum]\nurl = \"file://" +
                          dir.file("checkins.txt.gz") + "\"\narchive = \"gz\"\n");
  const std::string catalog =
      " --catalog " + dir.file("catalog.toml") + " --to " + dir.file("data");

  const auto ok = run_cli("data fetch mini" + catalog, dir);
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(testing::read_text(dir.file("data/mini/ml-mini/ratings.dat")), "1::2::5::9\n");
  EXPECT_FALSE(fs::exists(dir.file("data/.mini.partial")));
  const auto again = run_cli("data fetch mini" + catalog, dir);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  const auto bad = run_cli("data fetch bad" + catalog, dir);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("checksum mismatch for file://" + dir.file("mini.zip") +
                         ": expected MD5 00000000000000000000000000000000, got " + md5),
            std::string::npos)
      << bad.err;
  EXPECT_FALSE(fs::exists(dir.file("data/bad")));
  EXPECT_FALSE(fs::exists(dir.file("data/.bad.partial")));

  const auto refused = run_cli("data fetch nosum" + catalog, dir);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("has no published checksum"), std::string::npos) << refused.err;
  const auto accepted = run_cli("data fetch nosum --accept-unverified" + catalog, dir);
  ASSERT_EQ(accepted.status, 0) << accepted.err;
  EXPECT_EQ(testing::read_text(dir.file("data/nosum/checkins.txt")), "0\t2010-10-19T23:55:27Z\n");

  const auto unknown = run_cli("data fetch ml-2m --to " + dir.file("data"), dir);
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("unknown dataset \"ml-2m\" (did you mean \"ml-1m\"?); known: "
                             "gowalla, ml-100k, ml-1m, ml-20m"),
            std::string::npos)
      << unknown.err;
}

TEST(Cli, DataGenerateWritesPlainFiles) {
  testing::TempDir dir;
  const auto result =
      run_cli("data generate --config " + source_path("experiments/configs/quickstart.toml") +
                  " --set data.synthetic.users=20 --out " + dir.file("synth"),
              dir);
  ASSERT_EQ(result.status, 0) << result.err;
  for (const char* file :
       {"interactions.csv", "item_categories.csv", "change_points.csv", "shift_graph.csv"}) {
    EXPECT_TRUE(fs::exists(dir.file(std::string("synth/") + file))) << file;
  }
}

}  // namespace
}  // namespace shiftrec
