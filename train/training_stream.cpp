#include "train/training_stream.h"

#include <ATen/TensorIndexing.h>
#include <torch/types.h>

#include "datasets/split.h"
#include "models/recommender.h"
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
      : batcher_(split, model.max_length(), options.batch_size, options.length_buckets),
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

 private:
  SequenceBatcher batcher_;
  bool length_buckets_;
  double mean_positions_;
  std::vector<std::vector<int32_t>> plan_;
};

class UserItemPairStream : public TrainingStream {
 public:
  UserItemPairStream(const Split& split, const TrainOptions& options)
      : batcher_(split, options.batch_size) {}

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

std::unique_ptr<TrainingStream> make_training_stream(const Recommender& model, const Split& split,
                                                     const TrainOptions& options) {
  if (model.training_examples() == TrainingExamples::kUserItemPairs) {
    return std::make_unique<UserItemPairStream>(split, options);
  }
  return std::make_unique<NextItemStream>(split, model, options);
}

}  // namespace shiftrec
