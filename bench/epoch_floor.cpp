// A training epoch of a config against the floor of its unavoidable softmax work, in one
// process (issue 18, P1b): the epoch is trained through the library as `shiftrec train` does
// (no validation), every call of the loss records how many positions it scored, and then the
// floor replays exactly those shapes as bare GEMMs — logits [N, d] x [d, I], the states'
// gradient [N, I] x [I, d] and the table's [I, N] x [N, d] — on the same threads.
//
//   SHIFTREC_DATA=../shared/datasets build/bench/epoch_floor CONFIG [EPOCHS=2] [--set K=V]...
//
// Prints each epoch's training seconds, the last epoch's positions and loss calls, the floor
// (median of 3 replays) and the ratio, and the process's peak RSS. Full-softmax losses only
// ("ce"): the floor is the [positions x items] product a full softmax cannot avoid. With
// `--set device=cuda` both run on the GPU; with `--set train.precision=bf16` the floor's
// products are bf16, as the run's are under autocast. SHIFTREC_UNFUSED_ATTENTION=1 runs
// attention operator by operator instead of the fused CPU kernel (models/layers.h).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "bench/peak_rss.h"
#include "bench/timing.h"
#include "core/allocator.h"
#include "core/config.h"
#include "core/openmp_waits.h"
#include "experiments/plan.h"
#include "models/layers.h"

namespace {

using shiftrec::Loss;
using shiftrec::Recommender;

// The configured loss, recording the positions of every call: [calls] of N. With
// `train.shards` the calls come from several threads at once (one per shard).
class CountingLoss : public Loss {
 public:
  explicit CountingLoss(std::unique_ptr<Loss> inner) : inner_(std::move(inner)) {}
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      positions.push_back(states.size(0));
      width = states.size(1);
    }
    return inner_->compute(model, states, positives);
  }
  std::vector<int64_t> positions;  // of the epoch in progress
  int64_t width = 0;

 private:
  std::unique_ptr<Loss> inner_;
  std::mutex mutex_;
};

// The three bare GEMMs of every recorded call, once over the epoch's shapes, on `device` in
// `type` (bf16 when the run trains under bf16 autocast: its products run in bf16 too).
double floor_pass(const std::vector<int64_t>& positions, int64_t width, int64_t items,
                  c10::Device device, at::ScalarType type) {
  const int64_t largest = *std::max_element(positions.begin(), positions.end());
  const auto options = at::TensorOptions().device(device).dtype(type);
  const auto states = at::randn({largest, width}, options) * 0.1;
  const auto table = at::randn({items, width}, options) * 0.1;
  table.sum().item<float>();  // a GPU has finished making them
  const double start = shiftrec::bench::now_seconds();
  at::Tensor last;
  for (int64_t n : positions) {
    const auto s = states.narrow(0, 0, n);
    const auto logits = at::matmul(s, table.t());           // forward
    const auto grad_states = at::matmul(logits, table);     // d/d states
    last = at::matmul(logits.t(), s);                       // d/d table
  }
  last.sum().item<float>();  // and has finished the products
  return shiftrec::bench::now_seconds() - start;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shiftrec;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG [EPOCHS=2] [--set KEY=VALUE]...\n", argv[0]);
    return 1;
  }
  restart_with_passive_openmp_waits(argv);
  retain_freed_memory();
  int epochs = 2;
  std::vector<std::string> overrides;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--set" && i + 1 < argc) {
      overrides.push_back(argv[++i]);
    } else {
      epochs = std::atoi(argv[i]);
    }
  }
  if (epochs < 1) {
    std::fprintf(stderr, "EPOCHS must be at least 1\n");
    return 1;
  }
  if (std::getenv("SHIFTREC_UNFUSED_ATTENTION") != nullptr) use_fused_attention(false);
  try {
    Config config = Config::from_file(argv[1]);
    for (const auto& o : overrides) config.apply_override(o);
    config.apply_override("train.epochs=" + std::to_string(epochs));
    config.apply_override("train.checkpoint_every=0");
    Plan plan = read_plan(config);
    if (plan.loss_name != "ce") {
      std::fprintf(stderr, "%s: loss.name is \"%s\"; the floor is a full softmax's (\"ce\")\n",
                   argv[1], plan.loss_name.c_str());
      return 1;
    }
    auto counting = std::make_unique<CountingLoss>(std::move(plan.loss));
    CountingLoss& counter = *counting;
    Recommender& model = *plan.model;
    model.to(plan.device);
    model.fit_statistics(plan.split);
    std::vector<int64_t> last_positions;
    double last_seconds = 0.0;
    std::printf("%s: %s, %lld items, %s, %s, %d thread(s), shards %lld\n", argv[1],
                plan.model_name.c_str(), static_cast<long long>(plan.dataset.interactions.n_items),
                plan.device.str().c_str(), precision_name(plan.train.precision).c_str(),
                at::get_num_threads(), static_cast<long long>(plan.train.shards));
    train_model(
        model, *counting, plan.split, plan.train, plan.device,
        [] { return std::map<std::string, double>{}; },
        [&](const EpochRecord& record) {
          std::printf("epoch %lld: %.2f s training, loss %.4f\n",
                      static_cast<long long>(record.epoch), record.train_seconds,
                      record.train_loss);
          std::fflush(stdout);
          last_positions = counter.positions;
          last_seconds = record.train_seconds;
          counter.positions.clear();
        });
    if (last_positions.empty()) {
      std::fprintf(stderr, "the loss was never called\n");
      return 1;
    }
    int64_t total = 0;
    for (int64_t n : last_positions) total += n;
    std::vector<double> floors;
    for (int round = 0; round < 3; ++round) {
      floors.push_back(floor_pass(
          last_positions, counter.width, plan.dataset.interactions.n_items, plan.device,
          plan.train.precision == Precision::kBFloat16 ? at::kBFloat16 : at::kFloat));
    }
    std::sort(floors.begin(), floors.end());
    std::printf("last epoch: %lld positions in %zu loss calls, width %lld\n",
                static_cast<long long>(total), last_positions.size(),
                static_cast<long long>(counter.width));
    std::printf("floor (bare GEMMs of those shapes, median of 3: %.2f / %.2f / %.2f s): %.2f s\n",
                floors[0], floors[1], floors[2], floors[1]);
    std::printf("epoch / floor: %.2f s / %.2f s = %.2fx\n", last_seconds, floors[1],
                last_seconds / floors[1]);
    std::printf("peak RSS %.0f MB\n", bench::peak_rss_mb());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
