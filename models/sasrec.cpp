#include "models/sasrec.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/utils.h>

#include "core/config.h"
#include "datasets/time_gaps.h"
#include "models/composed_model.h"
#include "models/item_encoder.h"

namespace shiftrec {

SASRecEncoder::SASRecEncoder(const SASRecOptions& options) : options_(options) {
  const auto& o = options_;
  TORCH_CHECK(o.n_items() > 0, "SASRec: n_items = ", o.n_items(), ", expected > 0");
  TORCH_CHECK(o.d() > 0, "SASRec: d = ", o.d(), ", expected > 0");
  TORCH_CHECK(o.blocks() >= 0, "SASRec: blocks = ", o.blocks(), ", expected >= 0");
  TORCH_CHECK(o.heads() > 0 && o.d() % o.heads() == 0, "SASRec: heads = ", o.heads(),
              ", expected a positive divisor of d = ", o.d());
  TORCH_CHECK(o.dropout() >= 0.0 && o.dropout() < 1.0, "SASRec: dropout = ", o.dropout(),
              ", expected 0 <= dropout < 1");
  TORCH_CHECK(o.max_length() > 0, "SASRec: max_length = ", o.max_length(), ", expected > 0");
  position_embedding_ =
      register_module("position_embedding", torch::nn::Embedding(o.max_length(), o.d()));
  if (o.time_gaps()) {
    gap_embedding_ = register_module(
        "gap_embedding",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(kGapBuckets, o.d()).padding_idx(0)));
  }
  embedding_dropout_ = register_module("embedding_dropout", Dropout(o.dropout()));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int64_t b = 0; b < o.blocks(); ++b) {
    blocks_->push_back(TransformerBlock(o.d(), o.heads(), o.dropout()));
  }
  final_norm_ = register_module(
      "final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.d()}).eps(1e-8)));
}

void SASRecEncoder::initialize() {
  // As in the reference code: Xavier-normal for every matrix (the ID table's included, drawn
  // just before), padding rows zero.
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) {
    if (p.dim() >= 2) torch::nn::init::xavier_normal_(p);
  }
  if (gap_embedding_) gap_embedding_->weight[0].zero_();
}

at::Tensor SASRecEncoder::encode(const ModelInput& input, ItemEncoder& items) {
  const auto& histories = input.histories;
  const int64_t length = histories.size(1);
  TORCH_CHECK(length <= options_.max_length(), "SASRec: history width ", length,
              " exceeds max_length ", options_.max_length());
  auto positions =
      at::arange(options_.max_length() - length, options_.max_length(), histories.options());
  auto x = at::embedding(items.table(), histories, /*padding_idx=*/0) *
           std::sqrt(static_cast<double>(options_.d()));
  x = x + position_embedding_->forward(positions).unsqueeze(0);
  if (options_.time_gaps()) {
    TORCH_CHECK(input.gaps.defined() && input.gaps.sizes() == histories.sizes(),
                "SASRec with time_gaps: expected gap buckets shaped like the histories ",
                histories.sizes());
    x = x + gap_embedding_->forward(input.gaps);
  }
  x = embedding_dropout_->forward(x);
  auto valid = histories.ne(0).unsqueeze(-1).to(x.scalar_type());  // [B, L, 1]
  x = x * valid;
  auto allowed = causal_padding_mask(histories);
  for (const auto& block : *blocks_) {
    x = block->as<TransformerBlock>()->forward(x, allowed) * valid;
  }
  return final_norm_->forward(x);
}

SASRecOptions sasrec_options_from_config(ConfigSection& s, int64_t n_items, int64_t d) {
  SASRecOptions o(n_items);
  o.d(d);
  o.blocks(s.get_int("blocks", o.blocks(), 0, 64, "number of self-attention blocks"));
  o.heads(s.get_int("heads", o.heads(), 1, 1024, "attention heads (must divide d)"));
  o.dropout(s.get_double("dropout", o.dropout(), 0.0, 0.99, "dropout rate"));
  o.max_length(s.get_int("max_length", o.max_length(), 1, 1 << 16,
                         "longest history read; longer ones keep their last max_length items"));
  o.time_gaps(
      s.get_bool("time_gaps", o.time_gaps(),
                 "add an embedding of the time to the next interaction (needs timestamps)"));
  if (o.d() % o.heads() != 0) {
    s.fail("heads",
           "value " + std::to_string(o.heads()) + " does not divide d = " + std::to_string(o.d()));
  }
  return o;
}

std::shared_ptr<Recommender> make_sasrec(const SASRecOptions& options) {
  ModelAssembly parts;
  parts.n_items = options.n_items();
  parts.d = options.d();
  parts.sequence = [options](const SequenceEncoderContext&) {
    return std::make_shared<SASRecEncoder>(options);
  };
  parts.item_encoder = make_id_item_encoder;
  return assemble(parts);
}

SHIFTREC_REGISTER_SEQUENCE_ENCODER("sasrec", "SASRec: causal self-attention over the history", 0,
                                   [](ConfigSection s, const SequenceEncoderContext& c) {
                                     return std::make_shared<SASRecEncoder>(
                                         sasrec_options_from_config(s, c.n_items, c.d));
                                   });

SHIFTREC_REGISTER_MODEL("sasrec",
                        "SASRec (Kang & McAuley 2018): causal self-attention over the sequence",
                        [](ConfigSection s, const ModelContext& c) {
                          return compose_preset(s, c, ModelParts{"id", "sasrec", {}, 50});
                        });

}  // namespace shiftrec
