// The training examples a model learns from (Recommender::training_examples), as one epoch's
// batches and each batch's loss:
//   next items       every next item of the training prefixes (train/batching.h), the loss
//                    over the supervised positions' states plus the model's auxiliary loss
//                    (a head's), weighted by the batch's share of positions with length buckets
//   user-item pairs  the training (user, item) pairs (train/pair_batching.h), the loss over
//                    the users' states
// Either way the model's batch penalty (LightGCN's L2) is added.
#pragma once

#include <cstdint>
#include <memory>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "core/seed.h"

namespace shiftrec {

class DataParallel;
class Loss;
class Recommender;
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
};

std::unique_ptr<TrainingStream> make_training_stream(const Recommender& model, const Split& split,
                                                     const TrainOptions& options);

}  // namespace shiftrec
