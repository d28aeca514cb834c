// The `shift` head (models/shift_head.h does the work): predicts whether the next item is an
// interest SHIFT, trained jointly with BCE (weight `loss_weight`); its probability is the
// model's shift score. Options (a composition's [model.shift]; the presets spell them with a
// `shift_` prefix):
//   loss_weight = 0.5   mixture = false   mixture_offset = 0.0   mixture_scale = 1.0
//   move_head = false   move_weight = 1.0   graph = false   graph_window = 5
//   graph_iterations = 0   graph_weight = 1.0   graph_popularity = false
//   recurrent_detector = false   detector_reads_graph = false   detector_recency = false
// mixture: rank with (1 - p) x the softmax over non-shift items + p x the softmax over shift
// items (the mixture reads the head's log-odds as mixture_scale x logit + mixture_offset, the
// detection and the loss the logit itself: the offset moves where the ranking sits between
// staying and moving, the scale how far it follows the detector's order); move_head: a residual
// head trained only at SHIFT positions ranks the shift items; graph: shift items also ranked by the
// category shift graph of the training sequences (graph_iterations: its expectation-maximisation
// passes, graph/category_shifts.h; graph_popularity: shift items ranked by the graph and their
// counted popularity within their category alone, the model's own scores left out;
// graph_weight: the graph's log-prior multiplied, sharper above 1);
// recurrent_detector: a small GRU over the history's novelty and gaps adds to the head's
// logit (models/shift_detector.h); detector_reads_graph: it also reads, per item, the shift
// graph's mass on categories the history has not shown (needs graph); detector_recency: it
// also reads how far back each returning item's category was last shown
// (shift_detector_recency in models/shift_detector.h).
#pragma once

#include <memory>
#include <string>

#include "models/head.h"
#include "models/shift_head.h"

namespace shiftrec {

struct ShiftHeadOptions {
  double loss_weight = 0.5;
  bool mixture = false;
  double mixture_offset = 0.0;
  double mixture_scale = 1.0;
  bool move_head = false;
  double move_weight = 1.0;
  bool graph = false;
  int64_t graph_window = 5;
  int64_t graph_iterations = 0;
  double graph_weight = 1.0;
  bool graph_popularity = false;
  bool recurrent_detector = false;
  bool detector_reads_graph = false;
  bool detector_recency = false;
};

// Reads the options with each key prefixed by `prefix` ("shift_" in the presets).
ShiftHeadOptions read_shift_head_options(ConfigSection& section, const std::string& prefix);

class ShiftHeadPart : public Head {
 public:
  ShiftHeadPart(const ShiftHeadOptions& options, const HeadContext& context);

  at::Tensor loss(const ModelInput& input, const at::Tensor& states, const at::Tensor& targets,
                  const ItemScorer& score_all) override;
  at::Tensor rescore(const ModelInput& input, const at::Tensor& last_states,
                     const at::Tensor& scores, const ItemScorer& score_all) override;
  std::optional<Recommender::ShiftScore> shift_score() override;
  void fit(const Split& split) override;
  bool reads_gaps() const override { return head_->reads_gaps(); }

 private:
  // The head's logit on each history's last column: input's whole rows, last states [B, d].
  at::Tensor last_history_logits(const ModelInput& input);

  ShiftHeadOptions options_;
  const Interactions* data_;
  int64_t max_length_;
  ShiftHead head_{nullptr};
};

}  // namespace shiftrec
