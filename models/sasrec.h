// SASRec — Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018.
//
// Item embedding (scaled by sqrt(d)) + learned position embedding -> dropout -> `blocks`
// causal TransformerBlocks -> LayerNorm. Positions are right-aligned: the most recent item
// always has position max_length - 1, so a history gives the same states whatever the
// batch's padded width. Scores are dot products with the (shared) item embeddings.
//
// With time_gaps on, a learned embedding of each column's gap bucket (the time to the next
// interaction, datasets/time_gaps.h) is added to the input next to the position embedding,
// so the last state knows how long the user has been away when it predicts. Off, no such
// parameter exists and SASRec is unchanged.
#pragma once

#include <vector>

#include <torch/arg.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include "models/layers.h"
#include "models/recommender.h"

namespace shiftrec {

struct SASRecOptions {
  explicit SASRecOptions(int64_t n_items) : n_items_(n_items) {}
  TORCH_ARG(int64_t, n_items);
  TORCH_ARG(int64_t, d) = 50;
  TORCH_ARG(int64_t, blocks) = 2;
  TORCH_ARG(int64_t, heads) = 1;
  TORCH_ARG(double, dropout) = 0.2;
  TORCH_ARG(int64_t, max_length) = 50;
  TORCH_ARG(bool, time_gaps) = false;
};

class ConfigSection;

// Reads d, blocks, heads, dropout, max_length and time_gaps from [model] (shared by the
// hybrids).
SASRecOptions sasrec_options_from_config(ConfigSection& section, int64_t n_items);

class SASRec : public Recommender {
 public:
  explicit SASRec(const SASRecOptions& options);
  void reset();

  torch::Tensor encode(const torch::Tensor& histories) override;  // [B, L] -> [B, L, d]
  // histories [B, L], gaps [B, L] (read only with time_gaps on) -> [B, L, d]
  torch::Tensor encode_with_gaps(const torch::Tensor& histories,
                                 const torch::Tensor& gaps) override;
  bool uses_time_gaps() const override { return options_.time_gaps(); }
  torch::Tensor score_all(const torch::Tensor& states) override;  // [N, d] -> [N, n_items]
  torch::Tensor score_candidates(const torch::Tensor& states,
                                 const torch::Tensor& items) override;  // -> [N, C]
  torch::Tensor item_embeddings() override;                             // [n_items, d]
  int64_t max_length() const override { return options_.max_length(); }
  int64_t n_items() const override { return options_.n_items(); }

  const SASRecOptions& options() const { return options_; }

 protected:
  // The item table the Transformer reads and scores with: [n_items + 1, d], row 0 = padding
  // (all zeros). SASRec's is its item embedding; hybrids replace it with graph-propagated or
  // fused representations. Called once per encode() in training; in evaluation once until a
  // parameter changes; score_* reuse the last one.
  virtual torch::Tensor item_table();
  // Drops the cached table (a hybrid whose graph changed).
  void invalidate_table();
  torch::nn::Embedding item_embedding_{nullptr};  // [n_items + 1, d], row 0 = padding

 private:
  const torch::Tensor& current_table();
  void refresh_table();            // table_ = item_table(), unless the evaluation cache still holds
  torch::Tensor table_;            // item_table() of the last encode()
  bool table_in_training_ = true;  // ... made in training mode (with autograd history)
  std::vector<int64_t> table_versions_;  // ... from parameters at these versions
  SASRecOptions options_;
  torch::nn::Embedding position_embedding_{nullptr};  // [max_length, d]
  torch::nn::Embedding gap_embedding_{nullptr};       // [kGapBuckets, d] with time_gaps
  Dropout embedding_dropout_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm final_norm_{nullptr};
};

}  // namespace shiftrec
