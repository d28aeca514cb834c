// Training losses, built from a model's scores so that every model gets every loss.
//
// A loss maps the states of the supervised positions and their next items to a scalar:
//   compute(model, states [N, d], positives [N] int64 item ids) -> [] (mean over N)
// Registered losses ([loss] name = ...):
//   "bce" — binary cross-entropy with `negatives` uniform negatives per positive (SASRec)
//   "ce"  — full softmax cross-entropy over all items (SASRec+, Klenitskiy & Vasilev 2023)
//   "sampled_softmax" — softmax over the positive and `negatives` uniform negatives
//   "gbce" — gSASRec's calibrated BCE with `negatives` negatives and `calibration` t
//   "bpr" — Bayesian personalised ranking, positive vs each of `negatives` negatives
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

#include "core/registry.h"

namespace shiftrec {

class ConfigSection;
class Recommender;

class Loss {
 public:
  virtual ~Loss() = default;
  virtual at::Tensor compute(Recommender& model, const at::Tensor& states,
                             const at::Tensor& positives) = 0;
};

// A factory reads its options from the [loss] section (all keys but `name`).
using LossFactory = std::function<std::unique_ptr<Loss>(ConfigSection)>;
using LossRegistry = Registry<LossFactory>;
LossRegistry& loss_registry();

}  // namespace shiftrec

#define SHIFTREC_REGISTER_LOSS(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::loss_registry, name, description, factory)
