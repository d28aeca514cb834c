// One Adam step, LibTorch's torch::optim::Adam::step against fused_adam_step
// (train/fused_adam.h), on parameter tables of the sizes that matter: LightGCN on Gowalla
// (70,839 x 64 user and item rows) and SASRec on Beauty (12,102 x 64 items). Same process,
// one thread (OMP_NUM_THREADS to change it), median of 21 steps each after 3 warm-up steps;
// says whether the two end bit for bit equal.
//   build/bench/adam_step
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/adam.h>

#include "bench/timing.h"
#include "core/allocator.h"
#include "train/fused_adam.h"

using shiftrec::bench::median_seconds;

int main() {
  shiftrec::retain_freed_memory();
  const char* threads = std::getenv("OMP_NUM_THREADS");
  at::set_num_threads(threads != nullptr ? std::atoi(threads) : 1);
  for (const int64_t rows : {70839, 12102}) {
    at::manual_seed(0);
    const at::Tensor start = at::randn({rows, 64}) * 0.1;
    const at::Tensor grad = at::randn({rows, 64}) * 0.01;
    std::vector<at::Tensor> a{start.clone().requires_grad_(true)};
    std::vector<at::Tensor> b{start.clone().requires_grad_(true)};
    a[0].mutable_grad() = grad.clone();
    b[0].mutable_grad() = grad.clone();
    torch::optim::Adam torch_adam(a, torch::optim::AdamOptions(1e-3));
    torch::optim::Adam fused_adam(b, torch::optim::AdamOptions(1e-3));
    const double plain = median_seconds([&] { torch_adam.step(); }, 21, 3);
    const double fused = median_seconds([&] { shiftrec::fused_adam_step(fused_adam); }, 21, 3);
    std::printf(
        "%lld x 64 parameters, %d thread(s): torch::optim::Adam::step %.2f ms, fused_adam_step "
        "%.2f ms (%.2fx); after 24 steps each: %s\n",
        static_cast<long long>(rows), at::get_num_threads(), plain * 1e3, fused * 1e3,
        plain / fused, at::equal(a[0], b[0]) ? "bit for bit equal" : "DIFFERENT");
  }
  return 0;
}
