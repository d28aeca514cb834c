// BERT4Rec (Sun et al., CIKM 2019): a bidirectional Transformer trained to recover masked
// items (cloze task); to recommend, a [mask] token is appended to the history and its state
// scores every item.
//
// Training view (training_view): the user's training sequence x_1..x_n, each item replaced by
// the [mask] token with probability mask_probability (at least one per sequence — the last
// item when the draw masked none); the loss recovers the masked items. Padding is never
// masked and never supervised (tested). The blocks are SASRec's (pre-norm, ReLU feed-forward)
// with a padding-only attention mask instead of the causal one; positions are right-aligned.
//
// The `bert4rec` sequence encoder; the preset of that name reads ID embeddings:
//   [model]
//   name = "bert4rec"
//   d = 64, blocks = 2, heads = 2, dropout = 0.2, max_length = 50, mask_probability = 0.2
#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/utils.h>

#include "core/config.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"
#include "models/layers.h"
#include "models/sequence_encoder.h"

namespace shiftrec {
namespace {

class Bert4RecEncoder : public SequenceEncoder {
 public:
  Bert4RecEncoder(int64_t n_items, int64_t d, int64_t blocks, int64_t heads, double dropout,
                  int64_t max_length, double mask_probability)
      : n_items_(n_items), d_(d), max_length_(max_length), mask_probability_(mask_probability) {
    position_embedding_ =
        register_module("position_embedding", torch::nn::Embedding(max_length, d));
    dropout_ = register_module("embedding_dropout", Dropout(dropout));
    blocks_ = register_module("blocks", torch::nn::ModuleList());
    for (int64_t b = 0; b < blocks; ++b) blocks_->push_back(TransformerBlock(d, heads, dropout));
    final_norm_ = register_module("final_norm",
                                  torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-8)));
  }

  void initialize() override {
    torch::NoGradGuard no_grad;
    for (auto& p : parameters()) {
      if (p.dim() >= 2) torch::nn::init::xavier_normal_(p);
    }
  }

  int64_t max_length() const override { return max_length_; }
  bool causal() const override { return false; }

  std::pair<at::Tensor, at::Tensor> training_view(const at::Tensor& inputs,
                                                  const at::Tensor& targets) override {
    // The whole training sequence, right-aligned: inputs plus the last target.
    auto sequence = at::cat({inputs, targets.narrow(1, targets.size(1) - 1, 1)}, 1);
    if (sequence.size(1) > max_length_) sequence = sequence.narrow(1, 1, max_length_);
    auto real = sequence.ne(0);
    auto draw = at::rand(sequence.sizes(), at::TensorOptions().device(sequence.device()));
    auto masked = draw.lt(mask_probability_) & real;
    // Rows where the draw masked nothing: mask the last item (always real when the row is).
    auto none = masked.any(1).logical_not() & real.any(1);
    masked.select(1, sequence.size(1) - 1).logical_or_(none);
    auto corrupted = at::where(masked, at::full_like(sequence, n_items_ + 1), sequence);
    auto labels = at::where(masked, sequence, at::zeros_like(sequence));
    return {corrupted, labels};
  }

  // Training: the (corrupted) sequence as given. Evaluation: the history followed by [mask],
  // whose state is the prediction ([B, L] -> [B, L', d], L' = min(L + 1, max_length)).
  at::Tensor encode(const ModelInput& input, ItemEncoder& items) override {
    const auto& histories = input.histories;
    auto tokens = histories;
    if (!is_training()) {
      auto mask = at::full({histories.size(0), 1}, n_items_ + 1, histories.options());
      tokens = at::cat({histories, mask}, 1);
      if (tokens.size(1) > max_length_) tokens = tokens.narrow(1, 1, max_length_);
    }
    const int64_t length = tokens.size(1);
    TORCH_CHECK(length <= max_length_, "BERT4Rec: width ", length, " exceeds max_length ",
                max_length_);
    auto positions = at::arange(max_length_ - length, max_length_, tokens.options());
    auto x = at::embedding(items.table(), tokens, /*padding_idx=*/0) *
             std::sqrt(static_cast<double>(d_));
    x = dropout_->forward(x + position_embedding_->forward(positions).unsqueeze(0));
    auto valid = tokens.ne(0).unsqueeze(-1).to(x.scalar_type());
    x = x * valid;
    // Bidirectional: every real position sees every real position (and itself).
    auto allowed = (tokens.ne(0).unsqueeze(1) |
                    at::eye(length, tokens.options().dtype(at::kBool)).unsqueeze(0))
                       .unsqueeze(1);  // [B, 1, L, L]
    for (const auto& block : *blocks_)
      x = block->as<TransformerBlock>()->forward(x, allowed) * valid;
    return final_norm_->forward(x);
  }

 private:
  int64_t n_items_, d_, max_length_;
  double mask_probability_;
  torch::nn::Embedding position_embedding_{nullptr};  // [max_length, d]
  Dropout dropout_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm final_norm_{nullptr};
};

std::shared_ptr<SequenceEncoder> make_bert4rec(ConfigSection s, const SequenceEncoderContext& c) {
  const int64_t blocks = s.get_int("blocks", 2, 0, 64, "Transformer blocks");
  const int64_t heads = s.get_int("heads", 2, 1, 1024, "attention heads (must divide d)");
  const double dropout = s.get_double("dropout", 0.2, 0.0, 0.99, "dropout rate");
  const int64_t max_length = s.get_int("max_length", 50, 2, 1 << 16, "longest sequence read");
  const double mask =
      s.get_double("mask_probability", 0.2, 0.01, 1.0, "share of items masked in training");
  if (c.d % heads != 0) {
    s.fail("heads",
           "value " + std::to_string(heads) + " does not divide d = " + std::to_string(c.d));
  }
  return std::make_shared<Bert4RecEncoder>(c.n_items, c.d, blocks, heads, dropout, max_length,
                                           mask);
}

}  // namespace

SHIFTREC_REGISTER_SEQUENCE_ENCODER(
    "bert4rec", "BERT4Rec: bidirectional Transformer trained to recover masked items", 1,
    make_bert4rec);

SHIFTREC_REGISTER_MODEL(
    "bert4rec", "BERT4Rec (Sun et al. 2019): bidirectional Transformer, masked-item training",
    [](ConfigSection s, const ModelContext& c) {
      return compose_preset(s, c, ModelParts{"id", "bert4rec", {}, 64});
    });

}  // namespace shiftrec
