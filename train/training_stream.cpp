#include "train/training_stream.h"

#include <cmath>
#include <vector>

#include <ATen/TensorIndexing.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/types.h>

#include "core/thread_generator.h"
#include "datasets/split.h"
#include "models/recommender.h"
#include "train/batch_shards.h"
#include "train/batching.h"
#include "train/data_parallel.h"
#include "train/loss.h"
#include "train/pair_batching.h"
#include "train/trainer.h"

namespace shiftrec {
namespace {

// The rank's share of an epoch's batches: every W-th from its rank on, among the first
// n - n mod W (so every rank takes the same number of steps). All of them without ranks.
template <typename Batch>
std::vector<Batch> deal(std::vector<Batch> plan, const DataParallel* parallel) {
  if (parallel == nullptr) return plan;
  const size_t world = static_cast<size_t>(parallel->world_size());
  const size_t usable = plan.size() - plan.size() % world;
  std::vector<Batch> mine;
  for (size_t i = static_cast<size_t>(parallel->rank()); i < usable; i += world) {
    mine.push_back(std::move(plan[i]));
  }
  return mine;
}

at::Tensor with_penalty(at::Tensor value, Recommender& model) {
  auto penalty = model.batch_penalty();
  return penalty.defined() ? value + penalty : value;
}

class NextItemStream : public TrainingStream {
 public:
  NextItemStream(const Split& split, const Recommender& model, const TrainOptions& options)
      : TrainingStream(options.precision),
        batcher_(split, model.max_length(), options.batch_size, options.length_buckets),
        length_buckets_(options.length_buckets),
        mean_positions_(batcher_.mean_positions_per_batch()) {}

  int64_t plan_epoch(Rng& rng, const DataParallel* parallel) override {
    plan_ = deal(batcher_.epoch_plan(rng), parallel);
    return static_cast<int64_t>(plan_.size());
  }

  at::Tensor batch_loss(int64_t index, Recommender& model, Loss& loss,
                        c10::Device device) override {
    SequenceBatch batch = batcher_.make_batch(plan_[index]);
    auto [inputs, targets] = model.training_view(batch.inputs.to(device), batch.targets.to(device));
    const ModelInput input{inputs, batch.gaps.defined() ? batch.gaps.to(device) : batch.gaps,
                           at::Tensor()};
    auto states = model.encode(input);  // [B, L, d]
    auto supervised = targets.ne(0);    // [B, L]
    auto value = loss.compute(model, states.index({supervised}), targets.index({supervised}) - 1);
    auto auxiliary = model.auxiliary_loss(input, states, targets);
    if (auxiliary.defined()) value = value + auxiliary;
    if (length_buckets_) value = value * (static_cast<double>(batch.positions) / mean_positions_);
    return with_penalty(value, model);
  }

  at::Tensor batch_gradients(int64_t index, Recommender& model, Loss& loss, c10::Device device,
                             ShardWorkers* workers, uint64_t seed) override {
    if (workers == nullptr || workers->shards() == 1) {
      return TrainingStream::batch_gradients(index, model, loss, device, workers, seed);
    }
    const SequenceBatch batch = batcher_.make_batch(plan_[index]);
    const std::vector<int64_t> bounds = shard_bounds(batch.targets, workers->shards());
    std::vector<at::Tensor> parameters;
    for (const auto& p : model.parameters()) {
      if (p.requires_grad()) parameters.push_back(p);
    }
    struct Shard {
      at::Tensor sum;  // the loss summed over the shard's supervised positions
      int64_t count = 0;
      std::vector<at::Tensor> gradients;  // of sum, by parameter (undefined: not reached)
    };
    std::vector<Shard> shards(bounds.size() - 1);
    model.begin_shared_batch();
    workers->run([&](int64_t s) {
      const int64_t begin = bounds[s], rows = bounds[s + 1] - bounds[s];
      if (rows == 0) return;
      ScopedThreadGenerator generator(derive_seed(seed, "shard", static_cast<uint64_t>(s)));
      Shard& shard = shards[s];
      at::Tensor sum;
      {
        const AutocastScope autocast(device.type(), precision_);  // per thread, forward only
        auto [inputs, targets] =
            model.training_view(batch.inputs.narrow(0, begin, rows).to(device),
                                batch.targets.narrow(0, begin, rows).to(device));
        const ModelInput input{
            inputs,
            batch.gaps.defined() ? batch.gaps.narrow(0, begin, rows).to(device) : batch.gaps,
            at::Tensor()};
        auto states = model.encode_shard(input);  // [rows, L, d]
        auto supervised = targets.ne(0);          // [rows, L]
        shard.count = supervised.sum().item<int64_t>();
        if (shard.count == 0) return;
        sum = loss.compute(model, states.index({supervised}), targets.index({supervised}) - 1) *
              static_cast<double>(shard.count);
      }
      shard.gradients = torch::autograd::grad({sum}, parameters, {}, /*retain_graph=*/false,
                                              /*create_graph=*/false, /*allow_unused=*/true);
      shard.sum = sum.detach();
    });
    int64_t count = 0;
    for (const Shard& shard : shards) count += shard.count;
    if (count == 0) return at::full({}, std::nan(""), at::TensorOptions().device(device));
    double scale = 1.0 / static_cast<double>(count);  // the mean over the batch's positions
    if (length_buckets_) scale *= static_cast<double>(batch.positions) / mean_positions_;
    at::Tensor value;
    for (const Shard& shard : shards) {
      if (shard.count > 0) value = value.defined() ? value + shard.sum : shard.sum;
    }
    for (size_t i = 0; i < parameters.size(); ++i) {  // summed in shard order: reproducible
      at::Tensor sum;
      for (const Shard& shard : shards) {
        if (shard.count == 0 || !shard.gradients[i].defined()) continue;
        sum = sum.defined() ? sum + shard.gradients[i] : shard.gradients[i];
      }
      if (!sum.defined()) continue;
      sum = sum * scale;
      auto& grad = parameters[i].mutable_grad();
      grad = grad.defined() ? grad + sum : sum;
    }
    return value * scale;
  }

 private:
  // Row boundaries [0 = b_0, b_1, ..., b_S = B] that give the shards about equal numbers of
  // supervised positions (targets [B, L], 0 = unsupervised).
  static std::vector<int64_t> shard_bounds(const at::Tensor& targets, int64_t shards) {
    const at::Tensor per_row = targets.ne(0).sum(1).cumsum(0).contiguous();  // [B]
    const int64_t rows = per_row.size(0);
    const int64_t* cumulative = per_row.data_ptr<int64_t>();
    const int64_t total = rows > 0 ? cumulative[rows - 1] : 0;
    std::vector<int64_t> bounds{0};
    int64_t row = 0;
    for (int64_t s = 1; s < shards; ++s) {
      const int64_t wanted = total * s / shards;
      while (row < rows && cumulative[row] <= wanted) ++row;
      bounds.push_back(std::max(row, bounds.back()));
    }
    bounds.push_back(rows);
    return bounds;
  }

  SequenceBatcher batcher_;
  bool length_buckets_;
  double mean_positions_;
  std::vector<std::vector<int32_t>> plan_;
};

class UserItemPairStream : public TrainingStream {
 public:
  UserItemPairStream(const Split& split, const TrainOptions& options)
      : TrainingStream(options.precision), batcher_(split, options.batch_size) {}

  int64_t plan_epoch(Rng& rng, const DataParallel* parallel) override {
    plan_ = deal(batcher_.epoch(rng), parallel);
    return static_cast<int64_t>(plan_.size());
  }

  at::Tensor batch_loss(int64_t index, Recommender& model, Loss& loss,
                        c10::Device device) override {
    const PairBatch& batch = plan_[index];
    auto users = torch::tensor(batch.users, torch::kLong).to(device);
    auto items = torch::tensor(batch.items, torch::kLong).to(device);
    auto states = model.encode(ModelInput{at::Tensor(), at::Tensor(), users}).select(1, -1);
    return with_penalty(loss.compute(model, states, items), model);
  }

 private:
  PairBatcher batcher_;
  std::vector<PairBatch> plan_;
};

}  // namespace

at::Tensor TrainingStream::batch_gradients(int64_t index, Recommender& model, Loss& loss,
                                           c10::Device device, ShardWorkers* /*workers*/,
                                           uint64_t /*seed*/) {
  at::Tensor value;
  {
    const AutocastScope autocast(device.type(), precision_);
    value = batch_loss(index, model, loss, device);
  }
  value.backward();
  return value.detach();
}

std::unique_ptr<TrainingStream> make_training_stream(const Recommender& model, const Split& split,
                                                     const TrainOptions& options) {
  if (model.training_examples() == TrainingExamples::kUserItemPairs) {
    return std::make_unique<UserItemPairStream>(split, options);
  }
  return std::make_unique<NextItemStream>(split, model, options);
}

}  // namespace shiftrec
