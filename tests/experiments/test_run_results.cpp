#include "experiments/run_results.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

RunResults filled() {
  RunResults r;
  r.model = "lightgcn+bert4rec+shift";
  r.loss = "ce";
  r.dataset = {"synthetic", "synthetic", 60, 40, 1263};
  r.protocol = {"temporal", 100, 200, "uni100", 2024, true};
  r.seed = 3;
  r.config_hash = "abc";
  r.data_fingerprint = "def";
  r.versions = library_versions();
  r.device = "cpu";
  r.threads = 2;
  r.best_epoch = 4;
  r.epochs_run = 7;
  r.resumed_after = {2, 5};
  r.early_stop_metric = "SHIFT:recall@10";
  r.timings.per_epoch = 1.5;
  SplitResults& test = r.splits["test"];
  test.targets = 60;
  test.queries = 58;
  test.candidates = "fp";
  test.metrics = {{"ndcg@10", 0.25}, {"recall@10", 0.5}};
  test.by_label["SHIFT"] = {6, 0.1, {{"recall@10", 0.125}}};
  test.by_label["NOVEL"] = {0, 0.0, {}};
  ShiftDetection detection;
  detection.targets = 60;
  detection.shifts = 6;
  detection.by_score["model"] = {0.75, 0.3};
  detection.by_score["time_since_previous"] = {std::numeric_limits<double>::quiet_NaN(), 0.1};
  test.detection = detection;
  test.shift_window = 50;
  r.splits["valid"].metrics = {{"ndcg@10", 0.3}};
  ChangePointResults cp;
  cp.margin = 5;
  cp.threshold = 0.5;
  cp.scores = {10, 8, 4, 0.5, 0.4, 0.444, 1.25};
  r.change_points = cp;
  return r;
}

TEST(RunResults, WrittenAndReadBackTheSame) {
  testing::TempDir dir;
  const RunResults original = filled();
  write_run_results(dir.file("results.json"), original);
  const RunResults read = read_run_results(dir.path());
  EXPECT_EQ(results_json_text(read), results_json_text(original));
  EXPECT_EQ(read.resumed_after, (std::vector<int64_t>{2, 5}));
  EXPECT_TRUE(
      std::isnan(read.splits.at("test").detection->by_score.at("time_since_previous").roc_auc));
  EXPECT_EQ(read.change_points->scores.matched, 4);
  EXPECT_EQ(read.versions.at("shiftrec"), "0.1.0");  // CMake's project version
}

TEST(RunResults, ValuesByNameAsLeaderboardAndSelectionAskForThem) {
  const RunResults r = filled();
  EXPECT_EQ(r.value("test", "ndcg@10"), 0.25);
  EXPECT_EQ(r.value("test", "SHIFT:recall@10"), 0.125);
  EXPECT_EQ(r.value("test", "shift_roc_auc"), 0.75);
  EXPECT_EQ(r.value("valid", "seconds_per_epoch"), 1.5);
  EXPECT_FALSE(r.value("test", "NOVEL:recall@10"));  // a label without targets
  EXPECT_FALSE(r.value("test", "mrr@10"));           // not configured
  EXPECT_FALSE(r.value("valid", "shift_roc_auc"));   // no categories there
  EXPECT_FALSE(r.value("train", "ndcg@10"));
  EXPECT_THROW(r.split("train", "DIR"), UserError);
}

TEST(RunResults, AForeignOrBrokenFileIsOneErrorNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.file("results.json");
  testing::write_text(path, "{\"run_format\": 2}");
  try {
    read_run_results(dir.path());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": written by an incompatible shiftrec (run_format 2, expected 1)");
  }
  testing::write_text(path, "{\"run_format\": 1, \"model\": \"sasrec\"}");
  try {
    read_run_results(dir.path());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": not a shiftrec results file (", 0), 0u)
        << e.what();
  }
  testing::write_text(path, "{\"run_format\": ");
  EXPECT_THROW(read_run_results(dir.path()), UserError);
  try {
    read_run_results(dir.file("nope"));
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("nope") + ": no such run directory");
  }
}

}  // namespace
}  // namespace shiftrec
