// Bayesian personalised ranking (Rendle et al. 2009), the loss of LightGCN and NGCF:
// -mean log σ(s_pos - s_neg) over each positive and its `negatives` uniform negatives.
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/loss.h"
#include "train/negatives.h"

namespace shiftrec {
namespace {

class BprLoss : public Loss {
 public:
  explicit BprLoss(int64_t negatives) : negatives_(negatives) {}

  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    auto negatives = sample_negatives(positives, model.n_items(), negatives_);  // [N, n]
    auto scores = model.score_candidates(states, at::cat({positives.unsqueeze(1), negatives}, 1));
    auto margin = scores.select(1, 0).unsqueeze(1) - scores.narrow(1, 1, negatives_);
    return at::softplus(margin.neg()).mean();  // softplus(-x) = -log σ(x)
  }

 private:
  int64_t negatives_;
};

std::unique_ptr<Loss> make_bpr(ConfigSection s) {
  return std::make_unique<BprLoss>(
      s.get_int("negatives", 1, 1, 1 << 16, "uniform negatives per positive"));
}

}  // namespace

SHIFTREC_REGISTER_LOSS("bpr", "Bayesian personalised ranking with uniform negatives (LightGCN)",
                       make_bpr);

}  // namespace shiftrec
