// Heads: optional parts on top of a model's user states — an extra training loss, a reshaped
// ranking, a shift probability. Registered ([model] heads = [...]): `shift`
// (models/shift_head_part.cpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <torch/nn/module.h>

#include "core/registry.h"
#include "models/recommender.h"

namespace shiftrec {

class ConfigSection;

struct HeadContext {
  int64_t d = 0;
  bool time_gaps = false;    // the sequence encoder reads gaps, so the head may too
  int64_t extra_tokens = 0;  // tokens after the items in the histories (BERT4Rec's [mask])
  const Interactions* data = nullptr;
  int64_t max_length = 0;  // the widest history the sequence encoder reads
};

// The model's scoring of states against its item table: [N, d] -> [N, n_items].
using ItemScorer = std::function<at::Tensor(const at::Tensor&)>;

class Head : public torch::nn::Module {
 public:
  // A training loss from the batch's input, states [B, L, d] and next-item targets [B, L]
  // (tokens, 0 = unsupervised). Undefined = none.
  virtual at::Tensor loss(const ModelInput& /*input*/, const at::Tensor& /*states*/,
                          const at::Tensor& /*targets*/, const ItemScorer& /*score_all*/) {
    return {};
  }
  // The ranking scores after the head: last states [B, d], scores [B, n_items] -> same shape.
  virtual at::Tensor rescore(const ModelInput& /*input*/, const at::Tensor& /*last_states*/,
                             const at::Tensor& scores, const ItemScorer& /*score_all*/) {
    return scores;
  }
  virtual std::optional<Recommender::ShiftScore> shift_score() { return std::nullopt; }
  virtual void fit(const Split& /*split*/) {}
  virtual bool reads_gaps() const { return false; }
};

using HeadFactory = std::function<std::shared_ptr<Head>(ConfigSection, const HeadContext&)>;
using HeadRegistry = Registry<HeadFactory>;
HeadRegistry& head_registry();

}  // namespace shiftrec

#define SHIFTREC_REGISTER_HEAD(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::head_registry, name, description, factory)
