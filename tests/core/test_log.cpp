// LogFile: the copy of the log a run directory keeps (log.txt).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "core/log.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(LogFile, KeepsInfoLinesFromBeforeItOpenedAndAfterButNoProgress) {
  testing::TempDir dir;
  const std::string path = dir.file("log.txt");
  const LogLevel console = log_level();
  set_log_level(LogLevel::kWarn);  // as a sweep's runs log to the console
  log_info("loaded the data");
  {
    LogFile file(path);
    log_info("epoch 1 loss 0.5");
    log_progress("epoch 2 10/20 (50%)");
    log_debug("a debug detail");
    log_warn("a warning");
    file.append_error("stopped");
  }
  log_info("after the run");
  {
    LogFile again(path);  // a resumed run appends a section of its own
    log_info("resuming after epoch 1");
  }
  set_log_level(console);
  const std::string log = testing::read_text(path);
  const auto at = [&](const std::string& part) { return log.find(part); };
  EXPECT_NE(at("info: loaded the data\n"), std::string::npos) << log;
  EXPECT_LT(at("info: loaded the data"), at("info: epoch 1 loss 0.5"));
  EXPECT_LT(at("info: epoch 1 loss 0.5"), at("warn: a warning"));
  EXPECT_LT(at("warn: a warning"), at("error: stopped"));
  EXPECT_EQ(at("epoch 2 10/20"), std::string::npos) << log;
  EXPECT_EQ(at("a debug detail"), std::string::npos) << log;
  // The second section holds what was logged between the two files, and nothing twice.
  const auto second = log.rfind(" UTC ---\n");
  ASSERT_GT(second, at("error: stopped"));
  EXPECT_GT(at("info: after the run"), second);
  EXPECT_GT(at("info: resuming after epoch 1"), second);
  EXPECT_EQ(log.find("info: loaded the data", second), std::string::npos);
}

TEST(LogFile, AnUnwritablePathIsAUserErrorNamingIt) {
  try {
    LogFile file("/nonexistent-dir/log.txt");
    FAIL() << "opened a log file in a missing folder";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/log.txt"), std::string::npos);
  }
}

}  // namespace
}  // namespace shiftrec
