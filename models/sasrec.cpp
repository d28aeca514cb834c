#include "models/sasrec.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include "core/config.h"
#include "datasets/time_gaps.h"
#include "models/item_table_scoring.h"

namespace shiftrec {

SASRec::SASRec(const SASRecOptions& options) : options_(options) { reset(); }

void SASRec::reset() {
  const auto& o = options_;
  TORCH_CHECK(o.n_items() > 0, "SASRec: n_items = ", o.n_items(), ", expected > 0");
  TORCH_CHECK(o.d() > 0, "SASRec: d = ", o.d(), ", expected > 0");
  TORCH_CHECK(o.blocks() >= 0, "SASRec: blocks = ", o.blocks(), ", expected >= 0");
  TORCH_CHECK(o.heads() > 0 && o.d() % o.heads() == 0, "SASRec: heads = ", o.heads(),
              ", expected a positive divisor of d = ", o.d());
  TORCH_CHECK(o.dropout() >= 0.0 && o.dropout() < 1.0, "SASRec: dropout = ", o.dropout(),
              ", expected 0 <= dropout < 1");
  TORCH_CHECK(o.max_length() > 0, "SASRec: max_length = ", o.max_length(), ", expected > 0");
  item_embedding_ = register_module(
      "item_embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(o.n_items() + 1, o.d()).padding_idx(0)));
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
  // As in the reference code: Xavier-normal for every matrix, padding row zero.
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) {
    if (p.dim() >= 2) torch::nn::init::xavier_normal_(p);
  }
  item_embedding_->weight[0].zero_();
  if (gap_embedding_) gap_embedding_->weight[0].zero_();
}

torch::Tensor SASRec::encode(const torch::Tensor& histories) {
  return encode_with_gaps(histories, torch::Tensor());
}

torch::Tensor SASRec::encode_with_gaps(const torch::Tensor& histories, const torch::Tensor& gaps) {
  const int64_t length = histories.size(1);
  TORCH_CHECK(length <= options_.max_length(), "SASRec: history width ", length,
              " exceeds max_length ", options_.max_length());
  auto positions =
      at::arange(options_.max_length() - length, options_.max_length(), histories.options());
  refresh_table();
  auto x = at::embedding(table_, histories, /*padding_idx=*/0) *
           std::sqrt(static_cast<double>(options_.d()));
  x = x + position_embedding_->forward(positions).unsqueeze(0);
  if (options_.time_gaps()) {
    TORCH_CHECK(gaps.defined() && gaps.sizes() == histories.sizes(),
                "SASRec with time_gaps: expected gap buckets shaped like the histories ",
                histories.sizes());
    x = x + gap_embedding_->forward(gaps);
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

torch::Tensor SASRec::item_table() { return item_embedding_->weight; }

void SASRec::refresh_table() {
  // Evaluation encodes batch after batch with unchanged parameters: one table (for a hybrid,
  // one graph propagation) serves them all until a parameter is written or the model moves.
  const auto device = item_embedding_->weight.device();
  if (!is_training() && table_.defined() && !table_in_training_ && table_.device() == device &&
      table_versions_ == parameter_versions()) {
    return;
  }
  table_ = item_table();
  table_in_training_ = is_training();
  table_versions_ = parameter_versions();
}

void SASRec::invalidate_table() { table_ = torch::Tensor(); }

const torch::Tensor& SASRec::current_table() {
  // Recomputed when no encode() preceded, or the model moved since.
  if (!table_.defined() || table_.device() != item_embedding_->weight.device()) refresh_table();
  return table_;
}

torch::Tensor SASRec::score_all(const torch::Tensor& states) {
  return score_all_items(current_table(), options_.n_items(), states);
}

torch::Tensor SASRec::item_embeddings() {
  refresh_table();
  return item_rows(table_, options_.n_items());
}

torch::Tensor SASRec::score_candidates(const torch::Tensor& states, const torch::Tensor& items) {
  return score_item_candidates(current_table(), states, items);
}

namespace {

std::shared_ptr<Recommender> make_sasrec(ConfigSection s, const ModelContext& context) {
  return std::make_shared<SASRec>(sasrec_options_from_config(s, context.n_items));
}

}  // namespace

SASRecOptions sasrec_options_from_config(ConfigSection& s, int64_t n_items) {
  SASRecOptions o(n_items);
  o.d(s.get_int("d", o.d(), 1, 1 << 16, "embedding and hidden size"));
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

SHIFTREC_REGISTER_MODEL("sasrec",
                        "SASRec (Kang & McAuley 2018): causal self-attention over the sequence",
                        make_sasrec);

}  // namespace shiftrec
