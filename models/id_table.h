// The ID embedding table of a model's items: [n_items + 1 + extra_tokens, d], row = token
// (row 0 padding, kept zero; rows 1..n_items the items; then tokens a sequence encoder adds,
// such as BERT4Rec's [mask]). Item encoders read it (models/item_encoder.h).
//
// Initialisation is two-step so a composed model draws its random values in the same order as
// the hand-written models did: the table is made (LibTorch's N(0, 1) draw) before the sequence
// encoder, and initialised (`initialize`) after the sequence encoder was made.
//   init = "xavier_normal"   SASRec, BERT4Rec, GRU4Rec (their reference code)
//          "normal"          N(0, 0.1): LightGCN's code
//          "xavier_uniform"  NGCF's code
//          "bert_normal"     N(0, 0.02): BERT's initializer_range (Hugging Face BERT4Rec)
// A graph encoder's user ID table is initialised the same way (initialize_like).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>

namespace shiftrec {

class IdTableImpl : public torch::nn::Module {
 public:
  static const std::vector<std::string>& init_names();  // the choices of `init`

  IdTableImpl(int64_t n_items, int64_t d, int64_t extra_tokens, std::string init);
  // Draws the table's values by `init`; padding row zero.
  void initialize();
  // Draws `weight` (another ID table, e.g. a graph's users) by the same `init`.
  void initialize_like(at::Tensor weight) const;

  const at::Tensor& weight() const { return table_->weight; }  // [rows, d]
  // The items' rows [n_items, d] (row = item id).
  at::Tensor items() const { return weight().narrow(0, 1, n_items_); }
  int64_t n_items() const { return n_items_; }
  int64_t extra_tokens() const { return extra_tokens_; }
  int64_t dim() const { return weight().size(1); }

 private:
  int64_t n_items_, extra_tokens_;
  std::string init_;
  torch::nn::Embedding table_{nullptr};
};
TORCH_MODULE(IdTable);

}  // namespace shiftrec
