#include "experiments/run_directory.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& path, RunOpen mode) {
  try {
    RunDirectory run(path, mode);
    return "";
  } catch (const UserError& e) {
    return e.what();
  }
}

TEST(RunDirectory, AFailedRunReopensUnderPartialAndCompletes) {
  testing::TempDir dir;
  const std::string path = dir.file("run");
  {
    RunDirectory run(path);
    testing::write_text(run.file("metrics.jsonl"), "{\"epoch\": 1}\n");
    run.fail("interrupted by SIGTERM");
  }
  ASSERT_TRUE(fs::exists(path + ".failed/error.txt"));
  for (const std::string& given : {path + ".failed", path + ".failed/"}) {
    RunDirectory run(given, RunOpen::kResume);
    EXPECT_EQ(run.final_path(), path);
    EXPECT_EQ(run.file("x"), path + ".partial/x");
    EXPECT_FALSE(fs::exists(path + ".failed"));
    EXPECT_FALSE(fs::exists(path + ".partial/error.txt"));  // the old reason no longer holds
    EXPECT_EQ(testing::read_text(path + ".partial/metrics.jsonl"), "{\"epoch\": 1}\n");
    run.fail("stopped again");
  }
  {
    RunDirectory run(path, RunOpen::kResume);  // the base path finds the .failed folder
    run.commit();
  }
  EXPECT_TRUE(fs::exists(path + "/metrics.jsonl"));
  EXPECT_EQ(error_of(path, RunOpen::kResume),
            "run directory " + path + " is already complete; nothing to resume");
  EXPECT_EQ(error_of(dir.file("none"), RunOpen::kResume),
            "no stopped run at " + dir.file("none") + " (neither " + dir.file("none") +
                ".partial nor " + dir.file("none") + ".failed exists)");
}

TEST(RunDirectory, ALiveRunIsNeitherReopenedNorReplaced) {
  testing::TempDir dir;
  const std::string path = dir.file("run");
  RunDirectory live(path);
  const std::string busy =
      "run " + path + " is still running in another process (" + path + ".partial is locked)";
  EXPECT_EQ(error_of(path, RunOpen::kResume), busy);
  EXPECT_EQ(error_of(path, RunOpen::kCreate), busy);
  EXPECT_TRUE(fs::is_directory(path + ".partial"));  // untouched by either attempt
  live.commit();
  EXPECT_TRUE(fs::is_directory(path));
}

TEST(RunDirectory, AKilledRunsPartialFolderIsResumedOrReplaced) {
  testing::TempDir dir;
  const std::string path = dir.file("run");
  fs::create_directories(path + ".partial");  // what a SIGKILL leaves (no process holds it)
  testing::write_text(path + ".partial/metrics.jsonl", "old\n");
  {
    RunDirectory run(path + ".partial", RunOpen::kResume);
    EXPECT_EQ(testing::read_text(run.file("metrics.jsonl")), "old\n");
  }  // destroyed without commit: treated as failed
  EXPECT_TRUE(fs::exists(path + ".failed/error.txt"));
  fs::create_directories(path + ".partial");
  EXPECT_EQ(error_of(path, RunOpen::kResume), path + " has both " + path + ".partial and " + path +
                                                  ".failed; remove the one not to resume");
  fs::remove_all(path + ".failed");
  RunDirectory fresh(path);  // a new run at the same --out replaces the stale folder
  EXPECT_FALSE(fs::exists(fresh.file("metrics.jsonl")));
  fresh.commit();
}

}  // namespace
}  // namespace shiftrec
