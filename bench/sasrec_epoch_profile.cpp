// Where one SASRec training epoch spends its time, phase by phase, on a real dataset.
//
//   build/bench/sasrec_epoch_profile FILE [max_length] [batch_size] [buckets 0|1] [epochs] [d]
//   [dropout] [threads]
//
// FILE is an S3-Rec sequence file (e.g. $SHIFTREC_DATA/amazon-s3rec/Beauty.txt). Uses the
// reference hyperparameters (d=50, 2 blocks, 1 head, dropout 0.5, BCE with 1 negative,
// Adam 1e-3) and prints seconds per phase, per epoch, plus the share of padded positions.
// SHIFTREC_DEFAULT_MALLOC=1 keeps glibc's default allocator settings (for comparison);
// SHIFTREC_UNFUSED_ATTENTION=1 runs attention operator by operator (models/layers.h).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/TensorIndexing.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "core/allocator.h"
#include "core/seed.h"
#include "datasets/s3rec_reader.h"
#include "datasets/split.h"
#include "models/layers.h"
#include "models/sasrec.h"
#include "train/batching.h"
#include "train/negatives.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shiftrec;
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: %s S3REC_FILE [max_length] [batch] [buckets] [epochs] [d] [dropout] [threads]\n",
        argv[0]);
    return 1;
  }
  if (std::getenv("SHIFTREC_DEFAULT_MALLOC") == nullptr) retain_freed_memory();
  if (std::getenv("SHIFTREC_UNFUSED_ATTENTION") != nullptr) use_fused_attention(false);
  const int64_t max_length = argc > 2 ? std::atoll(argv[2]) : 50;
  const int64_t batch_size = argc > 3 ? std::atoll(argv[3]) : 128;
  const bool buckets = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  const int epochs = argc > 5 ? std::atoi(argv[5]) : 2;
  const int64_t d = argc > 6 ? std::atoll(argv[6]) : 50;
  const double dropout = argc > 7 ? std::atof(argv[7]) : 0.5;
  const int threads =
      argc > 8 ? std::atoi(argv[8]) : static_cast<int>(std::thread::hardware_concurrency());
  at::set_num_threads(threads);
  at::manual_seed(1);

  const Interactions data = read_s3rec_sequences(argv[1]);
  const Split split = leave_one_out(data);
  auto model_ptr = make_sasrec(
      SASRecOptions(data.n_items).d(d).blocks(2).heads(1).dropout(dropout).max_length(max_length));
  Recommender& model = *model_ptr;
  torch::optim::Adam optimizer(model.parameters(),
                               torch::optim::AdamOptions(1e-3).betas({0.9, 0.98}));
  SequenceBatcher batcher(split, max_length, batch_size, buckets);
  Rng rng(7);
  model.train();
  std::printf("threads=%d max_length=%lld batch=%lld buckets=%d d=%lld users=%lld\n",
              at::get_num_threads(), static_cast<long long>(max_length),
              static_cast<long long>(batch_size), buckets ? 1 : 0, static_cast<long long>(d),
              static_cast<long long>(batcher.n_examples()));
  // SHIFTREC_PROFILE=FILE: a chrome://tracing trace of the last epoch's operators.
  const char* trace = std::getenv("SHIFTREC_PROFILE");
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
    if (trace != nullptr && epoch == epochs) {
      profile = std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(trace));
    }
    double t_batch = 0, t_forward = 0, t_loss = 0, t_backward = 0, t_step = 0;
    int64_t positions = 0, real = 0;
    const double start = now();
    for (const auto& users : batcher.epoch_plan(rng)) {
      double t0 = now();
      SequenceBatch batch = batcher.make_batch(users);
      double t1 = now();
      auto states = model.encode(ModelInput{batch.inputs, at::Tensor(), at::Tensor()});
      double t2 = now();
      auto mask = batch.targets.ne(0);
      auto positives = batch.targets.index({mask}) - 1;
      auto selected = states.index({mask});
      auto negatives = sample_negatives(positives, data.n_items, 1);
      auto scores =
          model.score_candidates(selected, at::cat({positives.unsqueeze(1), negatives}, 1));
      auto loss =
          at::softplus(scores.select(1, 0).neg()).mean() + at::softplus(scores.select(1, 1)).mean();
      double t3 = now();
      optimizer.zero_grad();
      loss.backward();
      double t4 = now();
      optimizer.step();
      double t5 = now();
      t_batch += t1 - t0;
      t_forward += t2 - t1;
      t_loss += t3 - t2;
      t_backward += t4 - t3;
      t_step += t5 - t4;
      positions += batch.inputs.numel();
      real += mask.sum().item<int64_t>();
    }
    const double total = now() - start;
    std::printf(
        "epoch %d: %.2f s  (batching %.2f, forward %.2f, loss %.2f, backward %.2f, adam %.2f)  "
        "positions %lld, padded %.1f%%\n",
        epoch, total, t_batch, t_forward, t_loss, t_backward, t_step,
        static_cast<long long>(positions), 100.0 * (1.0 - static_cast<double>(real) / positions));
  }
  return 0;
}
