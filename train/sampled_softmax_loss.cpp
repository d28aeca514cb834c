// Sampled softmax: cross-entropy of the positive against itself plus `negatives` uniform
// negatives, with the log-Q correction for uniform sampling being a constant (so omitted):
// -log( exp(s_pos) / (exp(s_pos) + sum exp(s_neg)) ). Approaches full CE as negatives grow.
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"
#include "train/negatives.h"

namespace shiftrec {
namespace {

class SampledSoftmaxLoss : public Loss {
 public:
  explicit SampledSoftmaxLoss(int64_t negatives) : negatives_(negatives) {}

  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    auto negatives = sample_negatives(positives, model.n_items(), negatives_);  // [N, n]
    auto scores = model.score_candidates(states, at::cat({positives.unsqueeze(1), negatives}, 1));
    return at::cross_entropy_loss(scores, at::zeros({scores.size(0)}, positives.options()));
  }

 private:
  int64_t negatives_;
};

std::unique_ptr<Loss> make_sampled_softmax(ConfigSection s) {
  return std::make_unique<SampledSoftmaxLoss>(
      s.get_int("negatives", 256, 1, 1 << 20, "uniform negatives per positive"));
}

}  // namespace

SHIFTREC_REGISTER_LOSS("sampled_softmax", "softmax over the positive and uniform sampled negatives",
                       make_sampled_softmax);

}  // namespace shiftrec
