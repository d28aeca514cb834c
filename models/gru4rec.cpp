// GRU4Rec (Hidasi et al., ICLR 2016; the sequence-model setting of later comparisons): item
// embedding -> dropout -> a multi-layer GRU over the history -> a linear projection back to
// the embedding size; scores are dot products with the item embeddings.
//
// Histories arrive left-padded; the GRU never reads the padding (models/left_padded_gru.h).
//
//   [model]
//   name = "gru4rec"
//   d = 64
//   hidden = 100
//   layers = 1
//   dropout = 0.2
//   max_length = 50
#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>

#include "core/config.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"
#include "models/left_padded_gru.h"
#include "models/sequence_encoder.h"

namespace shiftrec {
namespace {

class Gru4RecEncoder : public SequenceEncoder {
 public:
  Gru4RecEncoder(int64_t d, int64_t hidden, int64_t layers, double dropout, int64_t max_length)
      : max_length_(max_length) {
    dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
    gru_ = register_module(
        "gru",
        torch::nn::GRU(torch::nn::GRUOptions(d, hidden).num_layers(layers).batch_first(true)));
    projection_ = register_module("projection", torch::nn::Linear(hidden, d));
  }

  at::Tensor encode(const ModelInput& input, ItemEncoder& items) override {  // -> [B, L, d]
    auto x = dropout_->forward(at::embedding(items.table(), input.histories, /*padding_idx=*/0));
    auto states = projection_->forward(left_padded_gru(gru_, x, input.histories));
    return states * input.histories.ne(0).unsqueeze(-1).to(states.scalar_type());
  }
  int64_t max_length() const override { return max_length_; }

 private:
  int64_t max_length_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear projection_{nullptr};
};

std::shared_ptr<SequenceEncoder> make_gru4rec(ConfigSection s, const SequenceEncoderContext& c) {
  const int64_t hidden = s.get_int("hidden", 100, 1, 1 << 16, "GRU hidden size");
  const int64_t layers = s.get_int("layers", 1, 1, 16, "GRU layers");
  const double dropout = s.get_double("dropout", 0.2, 0.0, 0.99, "input dropout");
  const int64_t max_length = s.get_int("max_length", 50, 1, 1 << 16, "longest history read");
  return std::make_shared<Gru4RecEncoder>(c.d, hidden, layers, dropout, max_length);
}

}  // namespace

SHIFTREC_REGISTER_SEQUENCE_ENCODER("gru4rec", "GRU4Rec: a GRU over the history", 0, make_gru4rec);

SHIFTREC_REGISTER_MODEL("gru4rec", "GRU4Rec (Hidasi et al. 2016): a GRU over the sequence",
                        [](ConfigSection s, const ModelContext& c) {
                          return compose_preset(s, c, ModelParts{"id", "gru4rec", {}, 64});
                        });

}  // namespace shiftrec
