// BERT4Rec (Sun et al., CIKM 2019): a bidirectional Transformer trained to recover masked
// items (cloze task); to recommend, a [mask] token is appended to the history and its state
// scores every item.
//
// Training view (training_view): the user's training sequence x_1..x_n, each item replaced by
// the [mask] token with probability mask_probability; the loss recovers the masked items.
// Padding is never masked and never supervised (tested). Attention sees every real position
// (padding-only mask). A sequence the draw left unmasked has its last item masked
// (`mask_last_if_none = true`, the default) or teaches nothing in that batch (false, as
// Klenitskiy & Vasilev's force_last_item_masking_prob = 0; should the whole batch draw no mask,
// its rows' last items are masked so that the loss stays defined).
//
// Two kinds of blocks (`block`):
//   "sasrec" (default): SASRec's blocks (pre-norm, ReLU feed-forward d wide), the item
//     embeddings scaled by sqrt(d), positions right-aligned, a final LayerNorm, Xavier init;
//   "bert": Hugging Face's BertModel, as the BERT4Rec of Klenitskiy & Vasilev (RecSys 2023)
//     uses it: post-norm blocks with a GELU feed-forward `feed_forward` wide (default 4 d),
//     item + position embeddings through a LayerNorm and dropout, positions counted from the
//     first item (their batches are right-padded), N(0, 0.02) init with zero biases (pair it
//     with `id_init = "bert_normal"` for the item table).
//
// The `bert4rec` sequence encoder; the preset of that name reads ID embeddings:
//   [model]
//   name = "bert4rec"
//   d = 64, blocks = 2, heads = 2, dropout = 0.2, max_length = 50, mask_probability = 0.2
//   block = "sasrec", feed_forward = 4 d (block = "bert" only), mask_last_if_none = true
#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/thread_generator.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"
#include "models/layers.h"
#include "models/sequence_encoder.h"

namespace shiftrec {
namespace {

class Bert4RecEncoder : public SequenceEncoder {
 public:
  Bert4RecEncoder(int64_t n_items, int64_t d, int64_t blocks, int64_t heads, double dropout,
                  int64_t max_length, double mask_probability, bool mask_last_if_none,
                  bool bert_blocks, int64_t feed_forward)
      : n_items_(n_items),
        d_(d),
        max_length_(max_length),
        mask_probability_(mask_probability),
        mask_last_if_none_(mask_last_if_none),
        bert_blocks_(bert_blocks) {
    position_embedding_ =
        register_module("position_embedding", torch::nn::Embedding(max_length, d));
    dropout_ = register_module("embedding_dropout", Dropout(dropout));
    blocks_ = register_module("blocks", torch::nn::ModuleList());
    for (int64_t b = 0; b < blocks; ++b) {
      if (bert_blocks_) {
        blocks_->push_back(BertBlock(d, heads, feed_forward, dropout));
      } else {
        blocks_->push_back(TransformerBlock(d, heads, dropout));
      }
    }
    // sasrec: a LayerNorm after the blocks; bert: one on the embeddings (post-norm blocks).
    norm_ = register_module(
        bert_blocks_ ? "embedding_norm" : "final_norm",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(bert_blocks_ ? 1e-12 : 1e-8)));
  }

  void initialize() override {
    torch::NoGradGuard no_grad;
    for (auto& p : named_parameters()) {
      auto& w = p.value();
      if (w.dim() >= 2) {
        bert_blocks_ ? torch::nn::init::normal_(w, 0.0, 0.02) : torch::nn::init::xavier_normal_(w);
      } else if (bert_blocks_ && p.key().find("norm") == std::string::npos) {
        w.zero_();  // BERT's biases (LayerNorms keep weight 1, bias 0)
      }
    }
  }

  int64_t max_length() const override { return max_length_; }
  bool causal() const override { return false; }
  bool shardable() const override { return true; }

  std::pair<at::Tensor, at::Tensor> training_view(const at::Tensor& inputs,
                                                  const at::Tensor& targets) override {
    // The whole training sequence, right-aligned: inputs plus the last target.
    auto sequence = at::cat({inputs, targets.narrow(1, targets.size(1) - 1, 1)}, 1);
    if (sequence.size(1) > max_length_) sequence = sequence.narrow(1, 1, max_length_);
    auto real = sequence.ne(0);
    auto draw = thread_rand(sequence.sizes(), at::TensorOptions().device(sequence.device()));
    auto masked = draw.lt(mask_probability_) & real;
    // Rows where the draw masked nothing: mask the last item (always real when the row is),
    // unless they may teach nothing and some other row of the batch teaches something.
    if (mask_last_if_none_ || !masked.any().item<bool>()) {
      auto none = masked.any(1).logical_not() & real.any(1);
      masked.select(1, sequence.size(1) - 1).logical_or_(none);
    }
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
    const auto real = tokens.ne(0);
    auto x = at::embedding(items.table(), tokens, /*padding_idx=*/0);
    if (bert_blocks_) {  // positions 0, 1, ... from each row's first item
      auto positions = (real.to(at::kLong).cumsum(1) - 1).clamp_min(0);
      x = dropout_->forward(norm_->forward(x + position_embedding_->forward(positions)));
    } else {  // right-aligned positions
      auto positions = at::arange(max_length_ - length, max_length_, tokens.options());
      x = x * std::sqrt(static_cast<double>(d_));
      x = dropout_->forward(x + position_embedding_->forward(positions).unsqueeze(0));
    }
    auto valid = real.unsqueeze(-1).to(x.scalar_type());
    x = x * valid;
    // Bidirectional: every real position sees every real position (and itself).
    auto allowed =
        (real.unsqueeze(1) | at::eye(length, tokens.options().dtype(at::kBool)).unsqueeze(0))
            .unsqueeze(1);  // [B, 1, L, L]
    for (const auto& block : *blocks_) {
      x = (bert_blocks_ ? block->as<BertBlock>()->forward(x, allowed)
                        : block->as<TransformerBlock>()->forward(x, allowed)) *
          valid;
    }
    return bert_blocks_ ? x : norm_->forward(x);
  }

 private:
  int64_t n_items_, d_, max_length_;
  double mask_probability_;
  bool mask_last_if_none_;
  bool bert_blocks_;
  torch::nn::Embedding position_embedding_{nullptr};  // [max_length, d]
  Dropout dropout_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};  // final (sasrec) or on the embeddings (bert)
};

std::shared_ptr<SequenceEncoder> make_bert4rec(ConfigSection s, const SequenceEncoderContext& c) {
  const int64_t blocks = s.get_int("blocks", 2, 0, 64, "Transformer blocks");
  const int64_t heads = s.get_int("heads", 2, 1, 1024, "attention heads (must divide d)");
  const double dropout = s.get_double("dropout", 0.2, 0.0, 0.99, "dropout rate");
  const int64_t max_length = s.get_int("max_length", 50, 2, 1 << 16, "longest sequence read");
  const double mask =
      s.get_double("mask_probability", 0.2, 0.01, 1.0, "share of items masked in training");
  const bool mask_last_if_none = s.get_bool(
      "mask_last_if_none", true,
      "mask a training sequence's last item when the draw masked none (false: it teaches nothing)");
  const std::string block = s.get_string(
      "block", "sasrec",
      "sasrec (pre-norm, ReLU, d wide) or bert (Hugging Face BERT: post-norm, GELU, wider)",
      {"sasrec", "bert"});
  const bool bert = block == "bert";
  int64_t feed_forward = 0;
  if (bert) {
    feed_forward = s.get_int("feed_forward", 4 * c.d, 1, 1 << 20,
                             "width of the blocks' feed-forward layer (block = \"bert\")");
  } else if (s.has("feed_forward")) {
    s.fail("feed_forward", "needs block = \"bert\" (SASRec's blocks are d wide)");
  }
  if (c.d % heads != 0) {
    s.fail("heads",
           "value " + std::to_string(heads) + " does not divide d = " + std::to_string(c.d));
  }
  return std::make_shared<Bert4RecEncoder>(c.n_items, c.d, blocks, heads, dropout, max_length, mask,
                                           mask_last_if_none, bert, feed_forward);
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
