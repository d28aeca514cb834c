// Full softmax cross-entropy over all items — SASRec+ (Klenitskiy & Vasilev, RecSys 2023).
// `loss.chunk = N` computes it N positions at a time (train/chunked_softmax.h): memory bounded
// by [N, n_items] instead of [positions, n_items], the same loss and gradients up to float
// rounding. 0 (the default) keeps the plain path, whose numbers every run so far reproduces.
#include <ATen/ATen.h>

#include "core/config.h"
#include "models/recommender.h"
#include "train/chunked_softmax.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(int64_t chunk) : chunk_(chunk) {}
  at::Tensor compute(Recommender& model, const at::Tensor& states,
                     const at::Tensor& positives) override {
    if (chunk_ > 0) {  // score_all(s) is s · item_embeddings()ᵀ (models/recommender.h)
      return chunked_softmax_cross_entropy(states, model.item_embeddings(), positives, chunk_);
    }
    auto logits = model.score_all(states);  // [N, n_items]; bf16 under autocast
    return at::cross_entropy_loss(logits.to(at::kFloat), positives);  // the softmax in float32
  }

 private:
  int64_t chunk_;
};

std::unique_ptr<Loss> make_cross_entropy(ConfigSection section) {
  return std::make_unique<CrossEntropyLoss>(section.get_int(
      "chunk", 0, 0, int64_t{1} << 30,
      "positions per step of the softmax (bounds memory by chunk x items); 0 = all at once"));
}

}  // namespace

SHIFTREC_REGISTER_LOSS("ce", "full softmax cross-entropy over all items (SASRec+)",
                       make_cross_entropy);

}  // namespace shiftrec
