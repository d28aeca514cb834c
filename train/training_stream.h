// The training examples a model learns from (Recommender::training_examples), as one epoch's
// batches and each batch's loss:
//   next items       every next item of the training prefixes (train/batching.h), the loss
//                    over the supervised positions' states plus the model's auxiliary loss
//                    (a head's), weighted by the batch's share of positions with length buckets
//   user-item pairs  the training (user, item) pairs (train/pair_batching.h), the loss over
//                    the users' states
// Next-item batches of a shardable model may be computed in shards on several threads
// (train/batch_shards.h); the loss is the same mean over the batch's supervised positions.
// Either way the model's batch penalty (LightGCN's L2) is added.
#pragma once

#include <cstdint>
#include <memory>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/seed.h"
#include "train/mixed_precision.h"

namespace shiftrec {

class DataParallel;
class Loss;
class Recommender;
class ShardWorkers;
struct Split;
struct TrainOptions;

class TrainingStream {
 public:
  virtual ~TrainingStream() = default;
  // Plans the next epoch's batches from `rng` — this rank's share of them with `parallel` —
  // and returns how many there are.
  virtual int64_t plan_epoch(Rng& rng, const DataParallel* parallel) = 0;
  // The loss of planned batch `index` ([] scalar, with autograd history).
  virtual at::Tensor batch_loss(int64_t index, Recommender& model, Loss& loss,
                                c10::Device device) = 0;
  // Adds the gradients of planned batch `index` to the parameters' grad and returns its loss
  // ([] scalar, detached). With `workers` (a shardable model's next-item batches only), the
  // batch is computed in workers->shards() shards at once (train/batch_shards.h), shard s
  // drawing from a generator seeded with derive_seed(seed, "shard", s).
  // Either way the batch's forward pass and loss run in the stream's precision (autocast,
  // train/mixed_precision.h), its backward pass outside it.
  virtual at::Tensor batch_gradients(int64_t index, Recommender& model, Loss& loss,
                                     c10::Device device, ShardWorkers* workers, uint64_t seed);

 protected:
  explicit TrainingStream(Precision precision) : precision_(precision) {}
  Precision precision_;
};

std::unique_ptr<TrainingStream> make_training_stream(const Recommender& model, const Split& split,
                                                     const TrainOptions& options);

}  // namespace shiftrec
