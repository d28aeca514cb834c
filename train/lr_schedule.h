// Learning-rate schedules over optimisation steps: linear warmup, then constant, linear decay
// to zero, or cosine decay to zero at the last planned step (train.epochs x batches per
// epoch; an early stop ends before it). BERT4Rec's reference code warms up and decays
// linearly; SASRec, LightGCN and gSASRec keep the rate constant (the default).
//
//   [train]
//   lr_schedule = "linear"   # constant | linear | cosine
//   warmup_steps = 100       # the rate climbs to learning_rate over these steps
//
// rate(step) for a 0-based step, base rate r, W warmup steps and T planned steps:
//   step < W:  r (step + 1) / W
//   constant:  r
//   linear:    r (T - step) / (T - W)
//   cosine:    r (1 + cos(pi (step - W) / (T - W))) / 2
#pragma once

#include <cstdint>
#include <string>

namespace shiftrec {

struct LrSchedule {
  std::string kind = "constant";  // constant, linear or cosine
  int64_t warmup_steps = 0;
};

// The rate at `step` of `total_steps` (0 <= step < total_steps).
double scheduled_rate(const LrSchedule& schedule, double base_rate, int64_t step,
                      int64_t total_steps);

}  // namespace shiftrec
