// Binary cross-entropy with sampled negatives — the loss of the original SASRec
// (Kang & McAuley 2018): -log σ(s_pos) - mean over negatives of log(1 - σ(s_neg)).
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"
#include "train/negatives.h"

namespace shiftrec {
namespace {

class BceLoss : public Loss {
 public:
  explicit BceLoss(int64_t negatives) : negatives_(negatives) {}

  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    auto negatives = sample_negatives(positives, model.n_items(), negatives_);  // [N, n]
    auto candidates = at::cat({positives.unsqueeze(1), negatives}, 1);          // [N, 1 + n]
    auto scores = model.score_candidates(states, candidates);
    // softplus(-x) = -log σ(x); softplus(x) = -log(1 - σ(x)).
    auto positive_term = at::softplus(scores.select(1, 0).neg()).mean();
    auto negative_term = at::softplus(scores.narrow(1, 1, negatives_)).mean();
    return positive_term + negative_term;
  }

 private:
  int64_t negatives_;
};

std::unique_ptr<Loss> make_bce(ConfigSection s) {
  return std::make_unique<BceLoss>(
      s.get_int("negatives", 1, 1, 1 << 16, "uniform negatives per positive"));
}

}  // namespace

SHIFTREC_REGISTER_LOSS("bce", "binary cross-entropy with uniform sampled negatives (SASRec)",
                       make_bce);

}  // namespace shiftrec
