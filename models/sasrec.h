// SASRec — Kang & McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018.
//
// The `sasrec` sequence encoder: item rows (scaled by sqrt(d)) + learned position embedding
// -> dropout -> `blocks` causal TransformerBlocks -> LayerNorm. Positions are right-aligned:
// the most recent item always has position max_length - 1, so a history gives the same states
// whatever the batch's padded width. Scores are dot products with the item table (shared).
//
// With time_gaps on, a learned embedding of each column's gap bucket (the time to the next
// interaction, datasets/time_gaps.h) is added to the input next to the position embedding,
// so the last state knows how long the user has been away when it predicts. Off, no such
// parameter exists and SASRec is unchanged.
//
// The `sasrec` preset is this encoder over the `id` item encoder.
#pragma once

#include <memory>

#include <torch/arg.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include "models/layers.h"
#include "models/sequence_encoder.h"

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

// Reads blocks, heads, dropout, max_length and time_gaps from `section` (d and n_items given).
SASRecOptions sasrec_options_from_config(ConfigSection& section, int64_t n_items, int64_t d);

class SASRecEncoder : public SequenceEncoder {
 public:
  explicit SASRecEncoder(const SASRecOptions& options);
  void initialize() override;
  // input.histories [B, L], input.gaps [B, L] (read only with time_gaps on) -> [B, L, d]
  at::Tensor encode(const ModelInput& input, ItemEncoder& items) override;
  int64_t max_length() const override { return options_.max_length(); }
  bool shardable() const override { return true; }
  bool reads_gaps() const override { return options_.time_gaps(); }

 private:
  SASRecOptions options_;
  torch::nn::Embedding position_embedding_{nullptr};  // [max_length, d]
  torch::nn::Embedding gap_embedding_{nullptr};       // [kGapBuckets, d] with time_gaps
  Dropout embedding_dropout_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm final_norm_{nullptr};
};

// SASRec over ID embeddings (the `sasrec` preset), for tests and benchmarks that build one
// without a config.
std::shared_ptr<Recommender> make_sasrec(const SASRecOptions& options);

}  // namespace shiftrec
