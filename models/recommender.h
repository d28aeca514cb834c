// The model contract every shiftrec model honours, whatever parts it is made of.
//
// Item tokens: item id i (0-based, dense) is token i + 1; token 0 is padding. Histories are
// left-padded, so the last column is every user's most recent item.
//
// One input goes in (ModelInput: histories, their time gaps, the users' ids — a model reads
// what its parts need; callers fill what they know), user states come out:
//   encode(input)                                   -> states [B, L, d]
//       state t summarises the history up to and including column t (causal models), and is
//       used to predict the item after it; L = the histories' width (1 without histories).
//       A general-CF model (sequence part `none`) gives every column the user's own state.
//   score_all(states [N, d])                        -> scores [N, n_items] (column = item id),
//       states · item_embeddings()ᵀ (losses may compute it in chunks from the two)
//   score_candidates(states [N, d], items [N, C])   -> scores [N, C] (items are 0-based ids)
//   score_next(input, last states [B, d])           -> [B, n_items]: what evaluation ranks
//       (score_all unless a head reshapes the ranking, e.g. the shift mixture)
//   shift_score()                                   -> the model's own probability that the
//       next item is an interest SHIFT, when it has a shift head (an empty optional otherwise)
//   item_embeddings()                                -> [n_items, d] (row = item id), for export
//   fit_statistics(split) — called once before training with the training split, for parts
//       that need counts or graphs from it. Reads only training prefixes. Called after the
//       model is on its device.
//
// Models are compositions of parts (models/composed_model.h): an item encoder, a sequence
// encoder and optional heads, each in a registry of its own; the names `shiftrec models` lists
// are presets over those parts (models/presets.h). No caller outside models/ needs to know
// which parts a model holds.
//
// The training loss lives in train/ and is built from these scores, so every model gets
// every loss. A model with no trainable parameters (popularity) is fitted by fit_statistics
// alone; the trainer skips its optimisation loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "core/registry.h"

namespace shiftrec {

class ConfigSection;
struct Interactions;
struct Split;

// What a model reads. Undefined tensors are unknown; a model whose parts need one that the
// caller cannot give is a config error, caught when the model is built.
struct ModelInput {
  at::Tensor histories;  // [B, L] int64 tokens, left-padded (L <= max_length())
  // [B, L] int64: column t holds the bucket of the time from its interaction to the next one —
  // the target's in training, the request's in evaluation (datasets/time_gaps.h; 0 = padding
  // or unknown). Undefined when the data has no timestamps.
  at::Tensor gaps;
  at::Tensor users;  // [B] int64 dense user ids
};

// What a model learns from: every next item of the training sequences, or the training
// (user, item) pairs (general CF, BPR in the papers).
enum class TrainingExamples { kNextItems, kUserItemPairs };

class Recommender : public torch::nn::Module {
 public:
  // The model's own shift probability: input, last states [B, d] -> [B] in [0, 1].
  using ShiftScore = std::function<at::Tensor(const ModelInput&, const at::Tensor&)>;

  virtual at::Tensor encode(const ModelInput& input) = 0;
  virtual at::Tensor score_all(const at::Tensor& states) = 0;
  virtual at::Tensor score_candidates(const at::Tensor& states, const at::Tensor& items) = 0;
  virtual at::Tensor score_next(const ModelInput& /*input*/, const at::Tensor& last_states) {
    return score_all(last_states);
  }
  virtual std::optional<ShiftScore> shift_score() { return std::nullopt; }
  virtual at::Tensor item_embeddings() = 0;
  virtual void fit_statistics(const Split& /*split*/) {}

  // Training. What the trainer feeds encode() and supervises, from a next-item batch (inputs
  // [B, L], targets [B, L] tokens, 0 = unsupervised). The default is next-item training
  // itself; a masked-item model (BERT4Rec) returns its corrupted sequence and the items to
  // recover.
  virtual std::pair<at::Tensor, at::Tensor> training_view(const at::Tensor& inputs,
                                                          const at::Tensor& targets) {
    return {inputs, targets};
  }
  virtual TrainingExamples training_examples() const { return TrainingExamples::kNextItems; }
  // A loss the model adds to the next-item loss (a head's), from the batch's input, states
  // [B, L, d] and next-item targets [B, L] (tokens, 0 = unsupervised). Undefined = none.
  virtual at::Tensor auxiliary_loss(const ModelInput& /*input*/, const at::Tensor& /*states*/,
                                    const at::Tensor& /*targets*/) {
    return {};
  }
  // A penalty the model adds to the loss of the batch it just encoded and scored (LightGCN's
  // L2 on the batch's ID embeddings); the trainer calls it once per batch, after the loss.
  // Undefined = none.
  virtual at::Tensor batch_penalty() { return {}; }
  // Sharded training (train/batch_shards.h): true when, after begin_shared_batch() on one
  // thread, encode_shard() may run on several threads at once for parts of the same batch —
  // the model keeps no per-batch state besides what begin_shared_batch() prepares, and adds
  // no auxiliary loss or penalty (each shard's loss is then its share of the batch's).
  virtual bool shardable() const { return false; }
  virtual void begin_shared_batch() {}
  virtual at::Tensor encode_shard(const ModelInput& input) { return encode(input); }

  // The longest history the model reads (histories are cut to their last max_length items).
  virtual int64_t max_length() const = 0;
  virtual int64_t n_items() const = 0;
  // False when a state sees items after its position (bidirectional models): such a model's
  // states cannot score every position of a sequence in one pass.
  virtual bool causal() const { return true; }
  // True when the model reads ModelInput::gaps (the data must have timestamps).
  virtual bool uses_time_gaps() const { return false; }
};

// What a model's factory needs besides its options.
struct ModelContext {
  int64_t n_items = 0;
  int64_t n_users = 0;
  const Interactions* data = nullptr;  // item categories, for parts that read them
};

// A preset reads its options from the [model] section (all keys but `name`) and builds the
// model on the CPU; the caller moves it to the run's device.
using ModelFactory =
    std::function<std::shared_ptr<Recommender>(ConfigSection, const ModelContext&)>;
using ModelRegistry = Registry<ModelFactory>;

// The named presets (`sasrec`, `lightgcn`, `shift_sasrec`, ...).
ModelRegistry& model_registry();

// The model a [model] section describes: a preset (`name = "fusion_sasrec"`, the default
// `sasrec`) or a composition of parts (`item_encoder` and/or `sequence`, optional `heads`;
// see models/composed_model.h). `name` gets the preset's name or the composition's
// ("lightgcn+bert4rec+shift").
std::shared_ptr<Recommender> build_model(ConfigSection section, const ModelContext& context,
                                         std::string* name = nullptr);

}  // namespace shiftrec

// Ends a preset's .cpp: SHIFTREC_REGISTER_MODEL("sasrec", "one line", factory_function);
#define SHIFTREC_REGISTER_MODEL(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::model_registry, name, description, factory)
