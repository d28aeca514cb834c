// The `categories` item encoder: every item is its ID embedding plus the mean of its
// categories' embeddings,
//   E[i] = E_id[i] + (1 / |C(i)|) sum_{c in C(i)} E_cat[c]        [n_items, d]
// (an item without categories keeps its ID row alone; padding and extra tokens such as
// BERT4Rec's [mask] are the ID table's rows). Items that share categories share part of their
// representation, in the sequence's inputs and in every score: a rarely seen item, or one in a
// category the user has not touched, is placed by what its categories have learned from every
// other item of theirs — side information the ID table lacks (the categories are the data's:
// an S3-Rec file's attributes, a synthetic set's planted categories).
//
// E_cat [n_categories, d] starts at zero, so a fresh model equals the `id` encoder's (the
// control that isolates this part) and learns the categories from there.
#include <ATen/ATen.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/interactions.h"
#include "models/item_encoder.h"

namespace shiftrec {
namespace {

class CategoryItemEncoder : public ItemEncoder {
 public:
  explicit CategoryItemEncoder(const ItemEncoderContext& c) : ItemEncoder(c.ids, c.n_items) {
    const Interactions* data = c.data;
    if (data == nullptr || !data->has_categories() || data->n_categories == 0) {
      throw UserError(
          "model.item_encoder: \"categories\" reads the items' categories, and this data has "
          "none (an S3-Rec file takes data.attributes_path; a synthetic set has them)");
    }
    SHIFTREC_ASSERT(static_cast<int64_t>(data->category_offsets.size()) == c.n_items + 1,
                    "category offsets do not cover the model's items");
    // One entry per (item, category): the category, the item, and 1 / |C(item)|.
    std::vector<int64_t> categories, items;
    std::vector<float> weights;
    for (int64_t i = 0; i < c.n_items; ++i) {
      const int64_t begin = data->category_offsets[i], end = data->category_offsets[i + 1];
      for (int64_t k = begin; k < end; ++k) {
        categories.push_back(data->category_ids[k]);
        items.push_back(i);
        weights.push_back(1.0f / static_cast<float>(end - begin));
      }
    }
    entry_category_ = register_buffer("entry_category", long_tensor(categories));
    entry_item_ = register_buffer("entry_item", long_tensor(items));
    entry_weight_ = register_buffer(
        "entry_weight",
        at::tensor(at::ArrayRef<float>(weights), at::kFloat).reshape({-1, 1}));  // [entries, 1]
    category_embedding_ =
        register_parameter("category_embedding", at::zeros({data->n_categories, ids()->dim()}));
  }

  bool shardable() const override { return true; }  // the table is all it keeps per batch

 protected:
  at::Tensor compute() override {
    const auto& weight = ids()->weight();  // [n_items + 1 + extra, d]
    // [entries, d] -> summed per item: [n_items, d]
    auto rows = category_embedding_.index_select(0, entry_category_) * entry_weight_;
    auto means =
        at::zeros({n_items(), weight.size(1)}, weight.options()).index_add(0, entry_item_, rows);
    std::vector<at::Tensor> parts = {weight.narrow(0, 0, 1), ids()->items() + means};
    if (ids()->extra_tokens() > 0) {
      parts.push_back(weight.narrow(0, n_items() + 1, ids()->extra_tokens()));
    }
    return at::cat(parts, 0);
  }

 private:
  static at::Tensor long_tensor(const std::vector<int64_t>& values) {
    return at::tensor(at::ArrayRef<int64_t>(values), at::kLong);
  }

  at::Tensor entry_category_, entry_item_, entry_weight_;  // [entries], [entries], [entries, 1]
  at::Tensor category_embedding_;                          // [n_categories, d]
};

}  // namespace

SHIFTREC_REGISTER_ITEM_ENCODER(
    "categories", "each item's ID embedding plus the mean of its categories' embeddings", true,
    [](ConfigSection, const ItemEncoderContext& c) {
      return std::make_shared<CategoryItemEncoder>(c);
    });

}  // namespace shiftrec
