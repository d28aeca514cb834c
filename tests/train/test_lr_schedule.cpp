#include "train/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shiftrec {
namespace {

TEST(LrSchedule, WarmupThenEachDecayByHand) {
  // Base rate 1, 4 warmup steps, 10 planned steps: after warmup, 6 steps of decay.
  LrSchedule schedule{"constant", 4};
  const double warmup[] = {0.25, 0.5, 0.75, 1.0};
  for (const char* kind : {"constant", "linear", "cosine"}) {
    schedule.kind = kind;
    for (int step = 0; step < 4; ++step) {
      EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 1.0, step, 10), warmup[step]) << kind;
    }
  }
  schedule.kind = "constant";
  EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 0.5, 9, 10), 0.5);
  schedule.kind = "linear";
  EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 1.0, 4, 10), 1.0);      // 6 / 6
  EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 1.0, 7, 10), 0.5);      // 3 / 6
  EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 1.0, 9, 10), 1.0 / 6);  // never 0 on a step
  schedule.kind = "cosine";
  EXPECT_DOUBLE_EQ(scheduled_rate(schedule, 1.0, 4, 10), 1.0);
  EXPECT_NEAR(scheduled_rate(schedule, 1.0, 7, 10), 0.5, 1e-15);  // cos(pi / 2) = 0
  EXPECT_NEAR(scheduled_rate(schedule, 2.0, 9, 10), 1.0 - std::sqrt(3.0) / 2, 1e-15);
  // Without warmup the first step already has the full rate.
  EXPECT_DOUBLE_EQ(scheduled_rate(LrSchedule{"linear", 0}, 1.0, 0, 4), 1.0);
  EXPECT_DOUBLE_EQ(scheduled_rate(LrSchedule{"linear", 0}, 1.0, 3, 4), 0.25);
}

}  // namespace
}  // namespace shiftrec
