// The `id` item encoder: every item is its own ID embedding (SASRec, BERT4Rec, GRU4Rec).
#include "models/composed_model.h"
#include "models/item_encoder.h"

namespace shiftrec {
namespace {

class IdItemEncoder : public ItemEncoder {
 public:
  explicit IdItemEncoder(const ItemEncoderContext& c) : ItemEncoder(c.ids, c.n_items) {}
  bool shardable() const override { return true; }

 protected:
  at::Tensor compute() override { return ids()->weight(); }
};

}  // namespace

std::shared_ptr<ItemEncoder> make_id_item_encoder(const ItemEncoderContext& context) {
  return std::make_shared<IdItemEncoder>(context);
}

SHIFTREC_REGISTER_ITEM_ENCODER("id", "the items' ID embeddings", true,
                               [](ConfigSection, const ItemEncoderContext& c) {
                                 return make_id_item_encoder(c);
                               });

}  // namespace shiftrec
