// A failed write is an error, never an abort: every file a run, eval, export, sweep and the
// data cache write is made to fail (SHIFTREC_WRITE_FAULT, core/write_fault.h: a full disk, a
// size limit, a read-only folder), plus one real `ulimit -f`. Each case asserts the exit code,
// one error line naming the final file and the OS reason, no temporary files left, and that
// the run resumes to the results of a run that never failed.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::count_of;
using testing::run_cli;
using testing::source_path;

const std::string kTinyRun = "train --config " +
                             source_path("experiments/configs/quickstart.toml") +
                             " --set data.synthetic.users=80 --set data.synthetic.items=60"
                             " --set data.synthetic.categories=6 --set train.epochs=2"
                             " --set model.d=16 --set threads=1 --set log_level=warn"
                             " --set 'eval.protocol=\"pop20\"'";

std::string with_fault(const std::string& spec) { return "SHIFTREC_WRITE_FAULT=" + spec; }

std::vector<std::string> temporaries_under(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// The epoch numbers of a run's metrics.jsonl, in order.
std::vector<int64_t> epochs_of(const std::string& run) {
  std::vector<int64_t> epochs;
  std::istringstream lines(testing::read_text(run + "/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    epochs.push_back(nlohmann::json::parse(line)["epoch"].get<int64_t>());
  }
  return epochs;
}

double test_ndcg(const std::string& run) {
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  return results["splits"]["test"]["metrics"]["ndcg@10"].get<double>();
}

// The one "shiftrec: error:" line of `err`, or a note that there was not exactly one.
std::string the_error_line(const std::string& err) {
  if (count_of(err, "shiftrec: error: ") != 1) return "(not one error line)\n" + err;
  const size_t at = err.find("shiftrec: error: ");
  return err.substr(at, err.find('\n', at) - at);
}

struct RunFileFault {
  std::string file;    // in the run folder
  std::string fault;   // SHIFTREC_WRITE_FAULT
  std::string reason;  // strerror of the fault
};

TEST(CliWriteFaults, EveryFileOfARunFailsCleanlyAndTheRunResumesToTheSameResults) {
  testing::TempDir dir;
  ASSERT_EQ(run_cli(kTinyRun + " --out " + dir.file("clean"), dir).status, 0);
  const double clean_ndcg = test_ndcg(dir.file("clean"));
  const std::vector<RunFileFault> cases = {
      {"metrics.jsonl", "ENOSPC:30:metrics.jsonl", "No space left on device"},
      {"train_state.pt", "EFBIG:0:train_state.pt", "File too large"},
      {"model.pt", "ENOSPC:1000:model.pt", "No space left on device"},
      {"targets.tsv", "EFBIG:100:targets.tsv", "File too large"},
      {"negatives.h5", "EROFS:0:negatives.h5", "Read-only file system"},
      {"results.json", "ENOSPC:10:results.json", "No space left on device"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const RunFileFault& c = cases[i];
    SCOPED_TRACE(c.fault);
    const std::string run = dir.file("run" + std::to_string(i));  // its path names no file
    const auto failed = run_cli(kTinyRun + " --out " + run, dir, with_fault(c.fault));
    EXPECT_EQ(failed.status, 1) << failed.err;
    const std::string expected =
        "shiftrec: error: cannot write " + run + ".partial/" + c.file + ": " + c.reason;
    EXPECT_EQ(the_error_line(failed.err), expected);
    EXPECT_TRUE(fs::exists(run + ".failed/error.txt"));
    EXPECT_NE(testing::read_text(run + ".failed/error.txt").find(c.reason), std::string::npos);
    EXPECT_NE(testing::read_text(run + ".failed/log.txt").find("error: cannot write"),
              std::string::npos);
    EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
    const auto resumed = run_cli("resume --run " + run, dir);
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_EQ(test_ndcg(run), clean_ndcg);
    // Kills: a run stopped in its final writes resumes without a spurious {"epoch":0} line.
    EXPECT_EQ(epochs_of(run), epochs_of(dir.file("clean")));
  }
}

// Silent accepts: a damaged line in the middle of metrics.jsonl used to drop every epoch after
// it on resume; now only that line goes.
TEST(CliWriteFaults, ResumeKeepsTheEpochsAroundADamagedMetricsLine) {
  testing::TempDir dir;
  ASSERT_EQ(run_cli(kTinyRun + " --out " + dir.file("clean"), dir).status, 0);
  const std::string run = dir.file("run");
  ASSERT_EQ(run_cli(kTinyRun + " --out " + run, dir, with_fault("ENOSPC:0:results.json")).status,
            1);
  std::string metrics = testing::read_text(run + ".failed/metrics.jsonl");
  metrics.insert(metrics.find('\n') + 1, "{\"epoch\": 1, garbage\n");
  testing::write_text(run + ".failed/metrics.jsonl", metrics);
  const auto resumed = run_cli("resume --run " + run, dir);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(epochs_of(run), epochs_of(dir.file("clean")));
  EXPECT_NE(resumed.err.find("line dropped"), std::string::npos) << resumed.err;
}

TEST(CliWriteFaults, AConfigThatCannotBeStoredFailsBeforeTrainingAndTrainsAgainLater) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto failed = run_cli(kTinyRun + " --out " + run, dir, with_fault("EROFS:0:resolved"));
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(the_error_line(failed.err), "shiftrec: error: cannot write " + run +
                                            ".partial/resolved.toml: Read-only file system");
  const auto resumed = run_cli("resume --run " + run, dir);
  EXPECT_EQ(resumed.status, 1);
  EXPECT_NE(resumed.err.find("start it again with shiftrec train --out " + run), std::string::npos)
      << resumed.err;
  EXPECT_EQ(run_cli(kTinyRun + " --out " + run, dir).status, 0);
}

TEST(CliWriteFaults, AnUnwritableErrorFileKeepsTheRunsOwnError) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  const auto failed =
      run_cli(kTinyRun + " --out " + run, dir, with_fault("ENOSPC:0:model.pt,error.txt"));
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(the_error_line(failed.err),
            "shiftrec: error: cannot write " + run + ".partial/model.pt: No space left on device");
  EXPECT_NE(failed.err.find("cannot write " + run + ".failed/error.txt"), std::string::npos);
  EXPECT_NE(testing::read_text(run + ".failed/log.txt").find("model.pt: No space left"),
            std::string::npos);
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
}

TEST(CliWriteFaults, EvalDumpAndExportFailCleanlyAndLeaveThePreviousFile) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  ASSERT_EQ(run_cli(kTinyRun + " --out " + run, dir).status, 0);
  const std::string dump = dir.file("top.tsv"), exported = dir.file("emb.h5");
  ASSERT_EQ(run_cli("eval --run " + run + " --dump-topk " + dump, dir).status, 0);
  const std::string dumped = testing::read_text(dump);

  auto failed =
      run_cli("eval --run " + run + " --dump-topk " + dump, dir, with_fault("ENOSPC:1000:top.tsv"));
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(the_error_line(failed.err),
            "shiftrec: error: cannot write " + dump + ": No space left on device");
  EXPECT_EQ(testing::read_text(dump), dumped);

  failed =
      run_cli("export --run " + run + " --out " + exported, dir, with_fault("EFBIG:2000:emb.h5"));
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(the_error_line(failed.err),
            "shiftrec: error: cannot write " + exported + ": File too large");
  EXPECT_EQ(failed.err.find("HDF5"), std::string::npos) << failed.err;
  EXPECT_FALSE(fs::exists(exported));
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
  EXPECT_EQ(run_cli("export --run " + run + " --out " + exported, dir).status, 0);
  EXPECT_TRUE(fs::exists(exported));
}

TEST(CliWriteFaults, ASweepReportsEachFailedRunAndTheSameSweepResumesThem) {
  testing::TempDir dir;
  const std::string sweep = "sweep --config " + source_path("experiments/configs/quickstart.toml") +
                            " --set data.synthetic.users=80 --set data.synthetic.items=60"
                            " --set train.epochs=1 --set model.d=16 --set threads=1"
                            " --seeds 1,2 --jobs 2 --out " +
                            dir.file("sweep");
  const auto failed = run_cli(sweep, dir, with_fault("ENOSPC:0:model.pt"));
  EXPECT_EQ(failed.status, 1);
  for (const char* seed : {"seed=1", "seed=2"}) {
    EXPECT_NE(failed.err.find(std::string(seed) + " failed (exit status 1): cannot write " +
                              dir.file("sweep") + "/" + seed +
                              ".partial/model.pt: No space left on device"),
              std::string::npos)
        << failed.err;
  }
  EXPECT_EQ(failed.err.find("signal"), std::string::npos);
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
  const auto resumed = run_cli(sweep, dir);
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(dir.file("sweep/seed=2/results.json")));
}

TEST(CliWriteFaults, AFailedCacheWriteIsAWarningAndTheRunGoesOn) {
  testing::TempDir dir;
  ASSERT_EQ(run_cli("data generate --config " + source_path("experiments/configs/quickstart.toml") +
                        " --set data.synthetic.users=60 --out " + dir.file("synth"),
                    dir)
                .status,
            0);
  fs::create_directories(dir.file("cache"));
  const std::string stale = dir.file("cache/old.h5.tmp-999999999");  // a killed writer's
  testing::write_text(stale, "half");
  testing::write_text(dir.file("csv.toml"),
                      "[data]\nsource = \"csv\"\npath = \"" + dir.file("synth/interactions.csv") +
                          "\"\nuser_column = \"user\"\nitem_column = \"item\"\n"
                          "time_column = \"timestamp\"\ncache_dir = \"" +
                          dir.file("cache") + "\"\n[model]\nd = 16\n[train]\nepochs = 1\n");
  const auto run = run_cli("train --config " + dir.file("csv.toml") + " --out " + dir.file("run"),
                           dir, with_fault("ENOSPC:100:/cache/"));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("warn: cannot write " + dir.file("cache/")), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("No space left on device; continuing without the data cache"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(dir.file("run/results.json")));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
}

TEST(CliWriteFaults, AFileSizeLimitIsAnErrorNotASilentKillAndTheRunResumes) {
  testing::TempDir dir;
  const std::string run = dir.file("run");
  // 64 KiB: resolved.toml, the logs and the first lines fit; a training state does not.
  const auto failed = run_cli(kTinyRun + " --set model.d=64 --out " + run, dir, "ulimit -f 64;");
  EXPECT_EQ(failed.status, 1) << failed.err;
  EXPECT_NE(the_error_line(failed.err).find(": File too large"), std::string::npos) << failed.err;
  EXPECT_TRUE(fs::exists(run + ".failed/error.txt"));
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
  // What a process killed outright would have left: resume clears it before it needs the space.
  testing::write_text(run + ".failed/train_state.pt.tmp-999999999", std::string(4096, 'x'));
  const auto resumed = run_cli("resume --run " + run, dir);
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(run + "/results.json"));
  EXPECT_EQ(temporaries_under(dir.path()), std::vector<std::string>{});
}

}  // namespace
}  // namespace shiftrec
