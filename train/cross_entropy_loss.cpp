// Full softmax cross-entropy over all items — SASRec+ (Klenitskiy & Vasilev, RecSys 2023).
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

class CrossEntropyLoss : public Loss {
 public:
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    auto logits = model.score_all(states);  // [N, n_items]
    return at::cross_entropy_loss(logits, positives);
  }
};

std::unique_ptr<Loss> make_cross_entropy(ConfigSection /*section*/) {
  return std::make_unique<CrossEntropyLoss>();
}

}  // namespace

SHIFTREC_REGISTER_LOSS("ce", "full softmax cross-entropy over all items (SASRec+)",
                       make_cross_entropy);

}  // namespace shiftrec
