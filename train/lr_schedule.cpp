#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace shiftrec {

double scheduled_rate(const LrSchedule& schedule, double base_rate, int64_t step,
                      int64_t total_steps) {
  SHIFTREC_ASSERT(step >= 0, "negative optimisation step");
  if (step < schedule.warmup_steps) {
    return base_rate * static_cast<double>(step + 1) / static_cast<double>(schedule.warmup_steps);
  }
  if (schedule.kind == "constant") return base_rate;
  const double span =
      static_cast<double>(std::max<int64_t>(total_steps - schedule.warmup_steps, 1));
  const double done = std::min(static_cast<double>(step - schedule.warmup_steps), span);
  if (schedule.kind == "linear") return base_rate * (span - done) / span;
  SHIFTREC_ASSERT(schedule.kind == "cosine", "unknown schedule " + schedule.kind);
  return base_rate * 0.5 * (1.0 + std::cos(M_PI * done / span));
}

}  // namespace shiftrec
