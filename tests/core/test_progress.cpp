#include "core/progress.h"

#include <gtest/gtest.h>

#include "core/log.h"

namespace shiftrec {
namespace {

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Progress, OffATerminalAQuickLoopPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    Progress progress("quick", 100, /*log_interval_seconds=*/1000.0);
    progress.set_terminal(false);
    for (int i = 0; i < 100; ++i) progress.advance(1);
    progress.finish("done");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(Progress, OffATerminalLinesAreThrottledAndNeverRedrawn) {
  ::testing::internal::CaptureStderr();
  {
    Progress progress("slow", 3, /*log_interval_seconds=*/0.0);
    progress.set_terminal(false);
    for (int i = 0; i < 3; ++i) progress.advance(1);
    progress.finish();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count_lines(err), 4) << err;         // each step (interval 0) plus the final line
  EXPECT_EQ(err.find('\r'), std::string::npos);  // no bar redraws in a log
  EXPECT_NE(err.find("slow 3/3 (100%)"), std::string::npos) << err;
}

TEST(Progress, OnATerminalOneBarIsRedrawnInPlace) {
  ::testing::internal::CaptureStderr();
  {
    Progress progress("bar", 2, 1000.0);
    progress.set_terminal(true);
    progress.advance(2);
    progress.finish();
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(count_lines(err), 1) << err;
  EXPECT_NE(err.find("\rbar ["), std::string::npos) << err;
  EXPECT_NE(err.find("100%"), std::string::npos) << err;
}

}  // namespace
}  // namespace shiftrec
