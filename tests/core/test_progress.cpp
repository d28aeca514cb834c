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
  EXPECT_EQ(err.find(" \n"), std::string::npos) << err;  // no trailing space without a status
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

TEST(Progress, EachLineSaysTheCountTheRateAndTheTimeLeft) {
  EXPECT_EQ(progress_summary(45, 100, 9.0), "45/100 (45%), 5/s, 11.0 s left");
  EXPECT_EQ(progress_summary(100, 100, 20.0), "100/100 (100%), 5/s, in 20.0 s");
  EXPECT_EQ(progress_summary(0, 10, 1.0), "0/10 (0%)");  // no rate before the first step
  EXPECT_EQ(progress_summary(1, 3, 300.0), "1/3 (33%), 0.00333/s, 10.0 min left");
  EXPECT_EQ(duration_text(89.96), "90.0 s");
  EXPECT_EQ(duration_text(150.0), "2.5 min");
  EXPECT_EQ(duration_text(7200.0), "2.0 h");
  // A sweep: 2 runs took 60 s two at a time (60 s each); 3 more two at a time: 90 s.
  EXPECT_EQ(time_left_text(2, 60.0, 3, 2), "2 trained in 60.0 s; about 1.5 min left");
  EXPECT_EQ(time_left_text(4, 120.0, 1, 1), "4 trained in 2.0 min; about 30.0 s left");
}

}  // namespace
}  // namespace shiftrec
