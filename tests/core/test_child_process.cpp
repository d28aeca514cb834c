#include "core/child_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/error.h"

namespace shiftrec {
namespace {

TEST(ChildProcess, ReportsTheExitStatusAndTheLastLineOfStderr) {
  ChildProcess child("/bin/sh", {"-c",
                                 "echo to-stdout; echo first >&2; echo 'last line' >&2;"
                                 " echo >&2; exit 3"});
  child.wait();
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_code(), 3);
  EXPECT_EQ(child.last_line(), "last line");  // stdout is not read; empty lines are skipped
}

TEST(ChildProcess, KeepsALastLineWithoutNewlineAndReadsMoreThanAPipeHolds) {
  // 200 KB of stderr: more than a pipe buffers, so the child only ends if it is read.
  ChildProcess child("/bin/sh", {"-c",
                                 "i=0; while [ $i -lt 2000 ]; do"
                                 " echo 'line of one hundred characters ......................"
                                 "............................................' >&2;"
                                 " i=$((i+1)); done; printf 'the end' >&2"});
  child.wait();
  EXPECT_EQ(child.exit_code(), 0);
  EXPECT_EQ(child.last_line(), "the end");
}

TEST(ChildProcess, TerminateEndsItWithSigterm) {
  ChildProcess child("/bin/sh", {"-c", "exec sleep 30"});
  EXPECT_TRUE(child.running());
  const auto start = std::chrono::steady_clock::now();
  child.terminate();
  child.wait();
  EXPECT_EQ(child.exit_code(), 128 + 15);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(ChildProcess, AMissingExecutableEndsLikeTheShellSaysSo) {
  // posix_spawn reports a missing file either at once or as exit status 127.
  try {
    ChildProcess child("/nonexistent/shiftrec", {});
    child.wait();
    EXPECT_EQ(child.exit_code(), 127);
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/shiftrec"), std::string::npos);
  }
}

TEST(ChildProcess, ThisExecutableIsARealFile) {
  const std::string self = this_executable();
  EXPECT_EQ(self.front(), '/');
  EXPECT_NE(self.find("unit_tests"), std::string::npos) << self;
}

}  // namespace
}  // namespace shiftrec
