// GRU4Rec (Hidasi et al., ICLR 2016; the sequence-model setting of later comparisons): item
// embedding -> dropout -> a multi-layer GRU over the history -> a linear projection back to
// the embedding size; scores are dot products with the item embeddings.
//
// Histories arrive left-padded; the GRU must not read the padding (its hidden state would
// then depend on the batch's width), so each row is shifted to start at column 0, run as a
// packed sequence, and shifted back: state t still summarises the items up to column t.
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
#include <torch/nn/utils/rnn.h>

#include "core/config.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"
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
    const auto& histories = input.histories;
    const int64_t width = histories.size(1);
    auto lengths = histories.ne(0).sum(1);  // [B]
    auto safe = lengths.clamp_min(1);       // empty rows: one padding step
    // Left-padded -> left-aligned: column j of row b reads column j + (L - len_b) (mod L).
    auto columns = at::arange(width, histories.options()).unsqueeze(0);
    auto shift = (width - safe).unsqueeze(1);
    auto aligned = histories.gather(1, (columns + shift).remainder(width));
    auto x = dropout_->forward(at::embedding(items.table(), aligned, /*padding_idx=*/0));
    auto packed = torch::nn::utils::rnn::pack_padded_sequence(x, safe.to(at::kCPU), true, false);
    auto output = std::get<0>(gru_->forward_with_packed_input(packed));
    auto unpacked =
        std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(output, true, 0.0, width));
    auto states = projection_->forward(unpacked);  // [B, L, d], left-aligned
    // Back to left-padded: column j of row b reads column j - (L - len_b) (mod L).
    auto back = (columns - shift).remainder(width).unsqueeze(-1).expand({-1, -1, states.size(2)});
    auto restored = states.gather(1, back.expand({histories.size(0), width, states.size(2)}));
    return restored * histories.ne(0).unsqueeze(-1).to(restored.scalar_type());
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
