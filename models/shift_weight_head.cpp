// The `shift_weight` head: weighs the next-item loss of SHIFT positions `weight` times — a
// cost-sensitive answer to the imbalance the shift metrics measure (on Amazon Beauty 15.6% of
// the test targets are SHIFT, and the stay-in-interest targets dominate what a next-item loss
// learns). It adds
//   (weight - 1) x sum over the batch's SHIFT positions of CE(score_all(state), target) / N,
// N = the batch's supervised positions, to the model's loss; with the full-softmax loss
// (`ce`, SASRec+) the total is then the mean over positions of w_t x CE_t, w_t = weight at
// SHIFT positions and 1 elsewhere (tested). Labels: models/shift_position_labels.h. The
// term is a full softmax over all items whatever the main loss is, and holds
// [SHIFT positions, n_items] logits for backward.
//   [model]
//   heads = ["shift_weight"]
//   [model.shift_weight]
//   weight = 2.0
#include <ATen/ATen.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/interactions.h"
#include "models/head.h"
#include "models/shift_position_labels.h"

namespace shiftrec {
namespace {

class ShiftWeightHead : public Head {
 public:
  ShiftWeightHead(double weight, const HeadContext& c) : weight_(weight) {
    SHIFTREC_ASSERT(c.data != nullptr && c.data->has_categories(),
                    "a shift_weight head without item categories");
    categories_ =
        register_buffer("item_categories",
                        item_category_table(*c.data, c.extra_tokens, kTrainingCommonCategoryShare));
  }

  at::Tensor loss(const ModelInput& input, const at::Tensor& states, const at::Tensor& targets,
                  const ItemScorer& score_all) override {
    const auto supervised = targets.ne(0);  // [B, L]
    const auto shift =
        shift_position_labels(categories_, input.histories, targets).gt(0) & supervised;
    const int64_t positions = supervised.sum().item<int64_t>();
    if (positions == 0 || !shift.any().item<bool>()) return {};
    auto logits = score_all(states.index({shift}));  // [S, n_items]
    auto total = at::cross_entropy_loss(logits, targets.index({shift}) - 1, /*weight=*/{},
                                        at::Reduction::Sum);
    return total * ((weight_ - 1.0) / static_cast<double>(positions));
  }

 private:
  double weight_;
  at::Tensor categories_;  // [tokens, n_categories] multi-hot
};

}  // namespace

SHIFTREC_REGISTER_HEAD(
    "shift_weight",
    "weighs the next-item loss of SHIFT positions `weight` times (softmax CE over all items)",
    [](ConfigSection s, const HeadContext& c) {
      const double weight = s.get_double("weight", 2.0, 1.0, 100.0,
                                         "loss weight of a SHIFT position (1 = no change)");
      if (c.data == nullptr || !c.data->has_categories()) {
        s.fail("weight", "the shift_weight head needs item categories, and this dataset has none");
      }
      return std::make_shared<ShiftWeightHead>(weight, c);
    });

}  // namespace shiftrec
