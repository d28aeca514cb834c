// One Adam step, LibTorch's torch::optim::Adam::step against fused_adam_step
// (train/fused_adam.h), on parameter tables of the sizes that matter: LightGCN on Gowalla
// (70,839 x 64 user and item rows) and SASRec on Beauty (12,102 x 64 items). Same process,
// one thread (OMP_NUM_THREADS to change it), median of 21 steps each after 3 warm-up steps;
// says whether the two end bit for bit equal.
//   build/bench/adam_step
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/adam.h>

#include "core/allocator.h"
#include "train/fused_adam.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
double median_seconds(F&& step, int runs = 21) {
  for (int i = 0; i < 3; ++i) step();
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now();
    step();
    times.push_back(now() - t0);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

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
    const double plain = median_seconds([&] { torch_adam.step(); });
    const double fused = median_seconds([&] { shiftrec::fused_adam_step(fused_adam); });
    std::printf(
        "%lld x 64 parameters, %d thread(s): torch::optim::Adam::step %.2f ms, fused_adam_step "
        "%.2f ms (%.2fx); after 24 steps each: %s\n",
        static_cast<long long>(rows), at::get_num_threads(), plain * 1e3, fused * 1e3,
        plain / fused, at::equal(a[0], b[0]) ? "bit for bit equal" : "DIFFERENT");
  }
  return 0;
}
