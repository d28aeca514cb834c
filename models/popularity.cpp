// Popularity baseline: every user gets the same ranking, items ordered by how often they
// occur in the training prefixes. The `popularity` item encoder's table is log(1 + count)
// ([n_items + 1, 1], row 0 padding) and every user's state is 1, so a score is the item's
// log-count; no trainable parameters. The preset pairs it with the sequence part `none`.
#include <ATen/ATen.h>

#include "core/config.h"
#include "datasets/split.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"

namespace shiftrec {
namespace {

class PopularityItemEncoder : public ItemEncoder {
 public:
  explicit PopularityItemEncoder(int64_t n_items) : ItemEncoder(nullptr, n_items) {
    log_counts_ = register_buffer("log_counts", at::zeros({n_items}, at::kFloat));
  }

  void fit(const Split& split) override {
    ItemEncoder::fit(split);
    const std::vector<int64_t> counts = split.train_item_counts();
    auto cpu = at::tensor(at::ArrayRef<int64_t>(counts), at::kLong).to(at::kFloat);
    log_counts_.copy_(at::log1p(cpu));
  }
  bool places_users() const override { return true; }
  // [B] -> [B, 1] ones: the log-count is the score.
  at::Tensor user_rows(const at::Tensor& users) override {
    return at::ones({users.size(0), 1}, log_counts_.options());
  }

 protected:
  at::Tensor compute() override {
    return at::cat({at::zeros({1}, log_counts_.options()), log_counts_}).unsqueeze(1);
  }

 private:
  at::Tensor log_counts_;  // [n_items]
};

}  // namespace

SHIFTREC_REGISTER_ITEM_ENCODER("popularity",
                               "log(1 + training count) per item, the same for every user", false,
                               [](ConfigSection, const ItemEncoderContext& c) {
                                 return std::make_shared<PopularityItemEncoder>(c.n_items);
                               });

SHIFTREC_REGISTER_MODEL("popularity",
                        "most popular training items first, the same list for every user",
                        [](ConfigSection s, const ModelContext& c) {
                          return compose_preset(s, c, ModelParts{"popularity", "none", {}, 0});
                        });

}  // namespace shiftrec
