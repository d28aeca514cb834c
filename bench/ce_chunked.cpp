// Full-softmax cross-entropy (SASRec+) against its floor, in one process: the bare GEMMs of
// its unavoidable work (logits forward, both gradients), the plain at::cross_entropy_loss path
// and the chunked one (train/chunked_softmax.h), forward + backward, median of 5, with how
// far each raised the process's peak RSS above the inputs.
//   build/bench/ce_chunked [positions=4096] [items=54542] [d=64] [chunk=1024]
// The defaults are a SASRec+ batch on BERT4Rec's Beauty (54,542 items).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "train/chunked_softmax.h"

#include "bench/peak_rss.h"

using shiftrec::bench::peak_rss_mb;

namespace {

double seconds(const std::function<void()>& work) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 4096;
  const int64_t items = argc > 2 ? std::atoll(argv[2]) : 54542;
  const int64_t d = argc > 3 ? std::atoll(argv[3]) : 64;
  const int64_t chunk = argc > 4 ? std::atoll(argv[4]) : 1024;
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  torch::manual_seed(0);
  const auto s = torch::randn({n, d}) * 0.1;
  const auto e = torch::randn({items, d}) * 0.1;
  const auto targets = torch::randint(0, items, {n}, torch::kLong);
  std::printf("positions %lld, items %lld, d %lld, chunk %lld, threads %d\n",
              static_cast<long long>(n), static_cast<long long>(items), static_cast<long long>(d),
              static_cast<long long>(chunk), at::get_num_threads());

  // Lightest first, so each phase's rise of the peak RSS is its own peak above the inputs.
  const double base = peak_rss_mb();
  const double chunked = seconds([&] {
    auto states = s.clone().requires_grad_(true);
    auto table = e.clone().requires_grad_(true);
    shiftrec::chunked_softmax_cross_entropy(states, table, targets, chunk).backward();
  });
  const double chunked_peak = peak_rss_mb() - base;
  const double plain = seconds([&] {
    auto states = s.clone().requires_grad_(true);
    auto table = e.clone().requires_grad_(true);
    at::cross_entropy_loss(at::matmul(states, table.t()), targets).backward();
  });
  const double plain_peak = peak_rss_mb() - base;
  const double floor = seconds([&] {
    const auto logits = at::matmul(s, e.t());           // forward
    const auto grad_states = at::matmul(logits, e);     // d/d states
    const auto grad_table = at::matmul(logits.t(), s);  // d/d table
  });
  std::printf("bare GEMMs (3)      %.3f s   1.00x\n", floor);
  std::printf("plain CE fwd+bwd    %.3f s   %.2fx floor   peak RSS +%.0f MB\n", plain,
              plain / floor, plain_peak);
  std::printf("chunked CE fwd+bwd  %.3f s   %.2fx floor   peak RSS +%.0f MB\n", chunked,
              chunked / floor, chunked_peak);
  return 0;
}
