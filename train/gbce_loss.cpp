// Generalised binary cross-entropy (gSASRec, Petrov & Macdonald, RecSys 2023): BCE with k
// negatives where the positive's probability is raised to the power beta,
//   beta = alpha * (t * (1 - 1/alpha) + 1/alpha),  alpha = k / (n_items - 1),  t = calibration
// so the model's scores stay calibrated despite negative sampling (t = 0 is plain BCE).
//   loss = ( -beta * log σ(s_pos) - sum over negatives of log(1 - σ(s_neg)) ) / (1 + k)
// (the mean over the 1 + k logits, as in the paper's code).
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"
#include "train/negatives.h"

namespace shiftrec {
namespace {

class GbceLoss : public Loss {
 public:
  GbceLoss(int64_t negatives, double calibration) : negatives_(negatives), t_(calibration) {}

  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    const double alpha = static_cast<double>(negatives_) / static_cast<double>(model.n_items() - 1);
    const double beta = alpha * (t_ * (1.0 - 1.0 / alpha) + 1.0 / alpha);
    auto negatives = sample_negatives(positives, model.n_items(), negatives_);  // [N, n]
    auto scores = model.score_candidates(states, at::cat({positives.unsqueeze(1), negatives}, 1));
    auto positive_term = at::softplus(scores.select(1, 0).neg()) * beta;        // [N]
    auto negative_term = at::softplus(scores.narrow(1, 1, negatives_)).sum(1);  // [N]
    return ((positive_term + negative_term) / static_cast<double>(1 + negatives_)).mean();
  }

 private:
  int64_t negatives_;
  double t_;
};

std::unique_ptr<Loss> make_gbce(ConfigSection s) {
  const int64_t negatives =
      s.get_int("negatives", 256, 1, 1 << 20, "uniform negatives per positive");
  const double t = s.get_double("calibration", 0.75, 0.0, 1.0,
                                "gSASRec's t: 0 = plain BCE, 1 = fully calibrated");
  return std::make_unique<GbceLoss>(negatives, t);
}

}  // namespace

SHIFTREC_REGISTER_LOSS("gbce", "generalised BCE with calibrated sampled negatives (gSASRec)",
                       make_gbce);

}  // namespace shiftrec
