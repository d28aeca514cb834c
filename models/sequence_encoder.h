// Sequence encoders: the part of a model that turns what it knows of a user (the history,
// its time gaps, or the user's id) into user states, reading item rows from the model's item
// encoder.
//
//   encode(input, items) -> states [B, L', d]: L' = the histories' width (BERT4Rec adds its
//                           [mask] column in evaluation; `none` repeats the user's state)
//
// Registered ([model] sequence = ...): `sasrec`, `bert4rec`, `gru4rec`, and `none` (general
// CF: the user's state is the item encoder's user row, e.g. LightGCN's propagated user).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include <torch/nn/module.h>

#include "core/registry.h"
#include "models/recommender.h"

namespace shiftrec {

class ConfigSection;
class ItemEncoder;

struct SequenceEncoderContext {
  int64_t n_items = 0;
  int64_t d = 0;
};

class SequenceEncoder : public torch::nn::Module {
 public:
  virtual at::Tensor encode(const ModelInput& input, ItemEncoder& items) = 0;
  // Draws this part's parameters; called after the ID table is initialised, so a composed
  // model draws its random values in the order the hand-written models did.
  virtual void initialize() {}

  virtual int64_t max_length() const = 0;
  virtual bool causal() const { return true; }
  virtual bool reads_gaps() const { return false; }
  // True when the states are the item encoder's user rows (general CF).
  virtual bool reads_user_states() const { return false; }
  virtual TrainingExamples training_examples() const { return TrainingExamples::kNextItems; }
  // True when encode() keeps no state between calls and draws its randomness from
  // thread_generator() (core/thread_generator.h): shards of a batch may run it at once.
  virtual bool shardable() const { return false; }
  // As Recommender::training_view.
  virtual std::pair<at::Tensor, at::Tensor> training_view(const at::Tensor& inputs,
                                                          const at::Tensor& targets) {
    return {inputs, targets};
  }
};

// A factory reads the encoder's options from its section ([model.NAME] in a composition, the
// flat [model] section in a preset).
using SequenceEncoderFactory =
    std::function<std::shared_ptr<SequenceEncoder>(ConfigSection, const SequenceEncoderContext&)>;
struct SequenceEncoderEntry {
  // Tokens the encoder adds after the items in the ID table (BERT4Rec's [mask]); known before
  // the encoder is made, since the table is made first.
  int64_t extra_tokens = 0;
  SequenceEncoderFactory make;
};
using SequenceEncoderRegistry = Registry<SequenceEncoderEntry>;
SequenceEncoderRegistry& sequence_encoder_registry();

}  // namespace shiftrec

#define SHIFTREC_REGISTER_SEQUENCE_ENCODER(name, description, extra_tokens, factory) \
  SHIFTREC_REGISTER(::shiftrec::sequence_encoder_registry, name, description,        \
                    (::shiftrec::SequenceEncoderEntry{extra_tokens, factory}))
