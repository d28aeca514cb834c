// The `none` sequence encoder (general CF: LightGCN, NGCF, popularity): a user's state is the
// item encoder's row for that user (input.users), whatever the history; the model learns from
// the training (user, item) pairs.
#include <algorithm>

#include <ATen/ATen.h>

#include "core/error.h"

#include "models/item_encoder.h"
#include "models/sequence_encoder.h"

namespace shiftrec {
namespace {

class NoSequence : public SequenceEncoder {
 public:
  // input.users [B] -> [B, L, D], L = the histories' width (1 without histories).
  at::Tensor encode(const ModelInput& input, ItemEncoder& items) override {
    if (!input.users.defined()) {
      throw UserError(
          "this model knows users by id only (general CF): ask for a known user; a new "
          "history needs a sequence model");
    }
    auto users = items.user_rows(input.users);  // [B, D]
    const int64_t width =
        input.histories.defined() ? std::max<int64_t>(1, input.histories.size(1)) : 1;
    return users.unsqueeze(1).expand({users.size(0), width, users.size(1)});
  }
  int64_t max_length() const override { return 1; }
  bool reads_user_states() const override { return true; }
  TrainingExamples training_examples() const override { return TrainingExamples::kUserItemPairs; }
};

}  // namespace

SHIFTREC_REGISTER_SEQUENCE_ENCODER(
    "none", "no sequence: the user's own row of the item encoder (general CF, by user id)", 0,
    [](ConfigSection, const SequenceEncoderContext&) { return std::make_shared<NoSequence>(); });

}  // namespace shiftrec
