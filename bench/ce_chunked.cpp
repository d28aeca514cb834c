// Full-softmax cross-entropy (SASRec+) against its floor, in one process: the bare GEMMs of
// its unavoidable work (logits forward, both gradients), the plain at::cross_entropy_loss path
// and the chunked one (train/chunked_softmax.h), forward + backward, median of 5, with the
// peak resident memory each adds.
//   build/bench/ce_chunked [positions=4096] [items=54542] [d=64] [chunk=1024]
// The defaults are a SASRec+ batch on BERT4Rec's Beauty (54,542 items).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "train/chunked_softmax.h"

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

// Resident memory now (MB), from /proc/self/statm.
double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / 1e6;
}

// The most resident memory `work` reached above what was resident before it (MB), sampled
// after each of its steps by the work itself through `sample`.
double peak_mb = 0;
void sample() { peak_mb = std::max(peak_mb, resident_mb()); }

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 4096;
  const int64_t items = argc > 2 ? std::atoll(argv[2]) : 54542;
  const int64_t d = argc > 3 ? std::atoll(argv[3]) : 64;
  const int64_t chunk = argc > 4 ? std::atoll(argv[4]) : 1024;
  torch::manual_seed(0);
  const auto s = torch::randn({n, d}) * 0.1;
  const auto e = torch::randn({items, d}) * 0.1;
  const auto targets = torch::randint(0, items, {n}, torch::kLong);
  std::printf("positions %lld, items %lld, d %lld, chunk %lld, threads %d\n",
              static_cast<long long>(n), static_cast<long long>(items),
              static_cast<long long>(d), static_cast<long long>(chunk), at::get_num_threads());

  const double floor = seconds([&] {
    const auto logits = at::matmul(s, e.t());              // forward
    const auto grad_states = at::matmul(logits, e);        // d/d states
    const auto grad_table = at::matmul(logits.t(), s);     // d/d table
    sample();
  });
  const double base = resident_mb();
  peak_mb = base;
  const double plain = seconds([&] {
    auto states = s.clone().requires_grad_(true);
    auto table = e.clone().requires_grad_(true);
    auto loss = at::cross_entropy_loss(at::matmul(states, table.t()), targets);
    sample();
    loss.backward();
    sample();
  });
  const double plain_peak = peak_mb - base;
  peak_mb = resident_mb();
  const double base_chunked = peak_mb;
  const double chunked = seconds([&] {
    auto states = s.clone().requires_grad_(true);
    auto table = e.clone().requires_grad_(true);
    auto loss = shiftrec::chunked_softmax_cross_entropy(states, table, targets, chunk);
    sample();
    loss.backward();
    sample();
  });
  const double chunked_peak = peak_mb - base_chunked;
  std::printf("bare GEMMs (3)      %.3f s   1.00x\n", floor);
  std::printf("plain CE fwd+bwd    %.3f s   %.2fx floor   +%.0f MB resident\n", plain,
              plain / floor, plain_peak);
  std::printf("chunked CE fwd+bwd  %.3f s   %.2fx floor   +%.0f MB resident\n", chunked,
              chunked / floor, chunked_peak);
  return 0;
}
