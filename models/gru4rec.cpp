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
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/utils/rnn.h>

#include "core/config.h"
#include "models/item_table_scoring.h"
#include "models/recommender.h"

namespace shiftrec {
namespace {

class Gru4Rec : public Recommender {
 public:
  Gru4Rec(int64_t n_items, int64_t d, int64_t hidden, int64_t layers, double dropout,
          int64_t max_length)
      : n_items_(n_items), max_length_(max_length) {
    item_embedding_ = register_module(
        "item_embedding",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(n_items + 1, d).padding_idx(0)));
    dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
    gru_ = register_module(
        "gru",
        torch::nn::GRU(torch::nn::GRUOptions(d, hidden).num_layers(layers).batch_first(true)));
    projection_ = register_module("projection", torch::nn::Linear(hidden, d));
    torch::NoGradGuard no_grad;
    torch::nn::init::xavier_normal_(item_embedding_->weight);
    item_embedding_->weight[0].zero_();
  }

  torch::Tensor encode(const torch::Tensor& histories) override {  // [B, L] -> [B, L, d]
    const int64_t width = histories.size(1);
    auto lengths = histories.ne(0).sum(1);  // [B]
    auto safe = lengths.clamp_min(1);       // empty rows: one padding step
    // Left-padded -> left-aligned: column j of row b reads column j + (L - len_b) (mod L).
    auto columns = at::arange(width, histories.options()).unsqueeze(0);
    auto shift = (width - safe).unsqueeze(1);
    auto aligned = histories.gather(1, (columns + shift).remainder(width));
    auto x = dropout_->forward(item_embedding_->forward(aligned));
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
  torch::Tensor score_all(const torch::Tensor& states) override {
    return score_all_items(item_embedding_->weight, n_items_, states);
  }
  torch::Tensor score_candidates(const torch::Tensor& states, const torch::Tensor& items) override {
    return score_item_candidates(item_embedding_->weight, states, items);
  }
  torch::Tensor item_embeddings() override { return item_rows(item_embedding_->weight, n_items_); }
  int64_t max_length() const override { return max_length_; }
  int64_t n_items() const override { return n_items_; }

 private:
  int64_t n_items_, max_length_;
  torch::nn::Embedding item_embedding_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear projection_{nullptr};
};

std::shared_ptr<Recommender> make_gru4rec(ConfigSection s, const ModelContext& context) {
  const int64_t d = s.get_int("d", 64, 1, 1 << 16, "item embedding size");
  const int64_t hidden = s.get_int("hidden", 100, 1, 1 << 16, "GRU hidden size");
  const int64_t layers = s.get_int("layers", 1, 1, 16, "GRU layers");
  const double dropout = s.get_double("dropout", 0.2, 0.0, 0.99, "input dropout");
  const int64_t max_length = s.get_int("max_length", 50, 1, 1 << 16, "longest history read");
  return std::make_shared<Gru4Rec>(context.n_items, d, hidden, layers, dropout, max_length);
}

}  // namespace

SHIFTREC_REGISTER_MODEL("gru4rec", "GRU4Rec (Hidasi et al. 2016): a GRU over the sequence",
                        make_gru4rec);

}  // namespace shiftrec
