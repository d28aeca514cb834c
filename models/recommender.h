// The model contract every shiftrec variant implements.
//
// Item tokens: item id i (0-based, dense) is token i + 1; token 0 is padding. Histories are
// left-padded, so the last column is every user's most recent item.
//
//   encode(histories [B, L] int64 tokens)           -> states [B, L, d]
//       state t summarises the history up to and including column t (causal), and is
//       used to predict the item after it. L <= max_length().
//   encode_with_gaps(histories, gaps [B, L])         -> the same, for time-aware models
//   score_all(states [N, d])                        -> scores [N, n_items] (column = item id)
//   score_candidates(states [N, d], items [N, C])   -> scores [N, C] (items are 0-based ids)
//   item_embeddings()                                -> [n_items, d] (row = item id), for export
//   fit_statistics(split)  — called once before training with the training split, for
//       models that need counts or graphs from it (the bipartite or item transition graph).
//       Must read only training prefixes. Called after the model is on its device.
//
// General-CF models (LightGCN, NGCF) represent a user by id rather than by the history:
// they return true from uses_user_ids(), and implement
//   encode_users(users [B] int64 dense ids)          -> states [B, d]
// The trainer then feeds them (user, training item) pairs and evaluation scores
// encode_users(users) instead of the history's last state (the history still decides
// which items are masked).
//
// The training loss lives in train/ and is built from these scores, so every model gets
// every loss. A model with no trainable parameters (popularity) is fitted by
// fit_statistics alone; the trainer skips its optimisation loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "core/registry.h"

namespace shiftrec {

class ConfigSection;
struct Split;

class Recommender : public torch::nn::Module {
 public:
  virtual torch::Tensor encode(const torch::Tensor& histories) = 0;
  // Time-aware models also read gaps [B, L] int64: column t holds the bucket of the time from
  // its interaction to the next one — the target's in training, the request's in evaluation
  // (datasets/time_gaps.h; 0 = padding or unknown). Callers that know the gaps call this;
  // undefined gaps mean none are known. Other models ignore them.
  virtual torch::Tensor encode_with_gaps(const torch::Tensor& histories,
                                         const torch::Tensor& /*gaps*/) {
    return encode(histories);
  }
  // True when encode_with_gaps needs the gaps (the data must have timestamps).
  virtual bool uses_time_gaps() const { return false; }
  virtual torch::Tensor score_all(const torch::Tensor& states) = 0;
  virtual torch::Tensor score_candidates(const torch::Tensor& states,
                                         const torch::Tensor& items) = 0;
  virtual torch::Tensor item_embeddings() = 0;
  // Scores of the item after each whole history, as evaluation ranks them: histories [B, L],
  // their gap buckets [B, L] (undefined without time gaps), their last states [B, d] ->
  // [B, n_items]. score_all unless a model also reads the history itself (a shift head's
  // mixture, models/shift_head.h).
  virtual torch::Tensor score_next(const torch::Tensor& /*histories*/,
                                   const torch::Tensor& /*gaps*/,
                                   const torch::Tensor& last_states) {
    return score_all(last_states);
  }
  virtual void fit_statistics(const Split& /*split*/) {}
  virtual bool uses_user_ids() const { return false; }
  virtual torch::Tensor encode_users(const torch::Tensor& users);

  // What the trainer feeds encode() and supervises, from a next-item batch (inputs [B, L],
  // targets [B, L] tokens, 0 = unsupervised). The default is next-item training itself; a
  // masked-item model (BERT4Rec) returns its corrupted sequence and the items to recover.
  virtual std::pair<torch::Tensor, torch::Tensor> training_view(const torch::Tensor& inputs,
                                                                const torch::Tensor& targets) {
    return {inputs, targets};
  }
  // False when a state sees items after its position (bidirectional models): such a model's
  // states cannot score every position of a sequence in one pass.
  virtual bool causal() const { return true; }

  // Models with a shift head predict whether the item after a state is an interest shift:
  // states [N, d], the gap bucket to that item [N] (undefined without time gaps) ->
  // probabilities [N]. The evaluator scores shift detection with it.
  virtual bool has_shift_head() const { return false; }
  virtual torch::Tensor shift_probability(const torch::Tensor& states, const torch::Tensor& gaps);
  // A training loss a model adds to the next-item loss (a shift head's), from the batch's
  // inputs [B, L], their gap buckets [B, L] (undefined without time gaps), states [B, L, d]
  // and next-item targets [B, L] (tokens, 0 = unsupervised). Undefined = none.
  virtual torch::Tensor auxiliary_loss(const torch::Tensor& /*histories*/,
                                       const torch::Tensor& /*gaps*/,
                                       const torch::Tensor& /*states*/,
                                       const torch::Tensor& /*targets*/) {
    return {};
  }
  // A penalty a pair-trained model adds to the loss of the batch it just encoded and scored
  // (LightGCN's L2 on the batch's ID embeddings); the trainer calls it once per batch, after
  // the loss. Undefined = none.
  virtual torch::Tensor batch_penalty() { return {}; }
  virtual int64_t max_length() const = 0;
  virtual int64_t n_items() const = 0;

 protected:
  // The version counter of every parameter: equal lists = no parameter was written in
  // between (an optimiser step, a restored state), so a cached propagation still holds.
  std::vector<int64_t> parameter_versions() const;
};

// What a factory needs besides its own options.
struct Interactions;

struct ModelContext {
  int64_t n_items = 0;
  int64_t n_users = 0;
  const Interactions* data = nullptr;  // item categories, for models that read them
};

// A factory reads its options from the [model] section (all keys but `name`) and builds the
// model on the CPU; the caller moves it to the run's device.
using ModelFactory =
    std::function<std::shared_ptr<Recommender>(ConfigSection, const ModelContext&)>;
using ModelRegistry = Registry<ModelFactory>;

ModelRegistry& model_registry();

}  // namespace shiftrec

// Ends a model's .cpp: SHIFTREC_REGISTER_MODEL("sasrec", "one line", factory_function);
#define SHIFTREC_REGISTER_MODEL(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::model_registry, name, description, factory)
