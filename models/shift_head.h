// A shift head: a linear layer on the user state predicting whether the next item is an
// interest SHIFT, trained jointly with the next-item loss (binary cross-entropy) from labels
// computed on the batch itself: a target is a shift when it has a (non-common) category, none
// of its categories occurs in the visible history up to its position, and it is no repeat of
// a visible item. Categories carried by more than `common_share` of items are ignored, as
// for the evaluation labels.
//
// With time gaps, the head also reads the gap to the predicted interaction directly: a
// learned logit offset per gap bucket (datasets/time_gaps.h), so the one signal that says
// *when* interests move does not have to survive the Transformer to reach it.
//
// With a recurrent detector (models/shift_detector.h), a small GRU over the history's novelty
// and gaps adds its logit: the head then reads the whole history's course, not only the last
// state and gap.
//
// With a shift graph (fit_shift_graph: graph/category_shifts.h, counted from the training
// prefixes), the shift items are also ranked by where interests move between categories:
// the log-probability of each item's category given the categories of the history's last
// `window` items is added to their scores in the mixture.
//
// With a move head, the head also learns *where* a shift goes: a residual correction of the
// user state (state + W state + b, starting at zero, so at first the next-item ranking),
// scored against the model's item table, trained with cross-entropy at the SHIFT
// positions over the shift items only (the items that would be a SHIFT there), so it is not
// drowned by the far more frequent stay-in-interest targets of the next-item loss.
#pragma once

#include <functional>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/shift_detector.h"
#include "models/shift_position_labels.h"

namespace shiftrec {

struct Interactions;
struct Split;

// How the mixture reads the head's logit: p = sigmoid(scale x logit + offset). The identity
// (1, 0) mixes with the head's own probability.
struct MixtureLogOdds {
  double scale = 1.0;
  double offset = 0.0;
};

class ShiftHeadImpl : public torch::nn::Module {
 public:
  // The model's scoring of states against its item table: [N, d] -> [N, n_items].
  using ItemScorer = std::function<torch::Tensor(const torch::Tensor&)>;

  // `extra_tokens`: tokens after the items that histories may hold (BERT4Rec's [mask]); they
  // carry no category.
  ShiftHeadImpl(int64_t d, const Interactions& data, bool move_head = false,
                bool reads_gaps = false, int64_t extra_tokens = 0,
                double common_share = kTrainingCommonCategoryShare, bool recurrent_detector = false,
                ShiftDetectorReads detector_reads = {});
  bool has_move_head() const { return !move_.is_empty(); }
  bool reads_gaps() const { return !gap_logit_.is_empty(); }
  bool has_detector() const { return !detector_.is_empty(); }
  // states [..., d], gaps [...] gap buckets (read only when reads_gaps()), history_logits
  // [...] (history_logits(), or its last column; needed with a detector) -> logits [...]
  torch::Tensor logits(const torch::Tensor& states, const torch::Tensor& gaps,
                       const torch::Tensor& history_logits = {});
  // sigmoid(logits)
  torch::Tensor probability(const torch::Tensor& states, const torch::Tensor& gaps = {},
                            const torch::Tensor& history_logits = {});
  // The recurrent detector's logits: histories [B, L] tokens, gaps [B, L] buckets (the whole
  // rows, not the last column) -> [B, L]; undefined without a detector.
  torch::Tensor history_logits(const torch::Tensor& histories, const torch::Tensor& gaps);
  // Mean BCE over supervised positions (targets != 0); labels [B, L] (labels()), gaps [B, L]
  // buckets and history_logits [B, L] (as for logits), states [B, L, d], targets [B, L].
  torch::Tensor loss(const torch::Tensor& labels, const torch::Tensor& gaps,
                     const torch::Tensor& states, const torch::Tensor& targets,
                     const torch::Tensor& history_logits = {});
  // The labels: [B, L] float, 1 = SHIFT (meaningful where targets != 0).
  torch::Tensor labels(const torch::Tensor& histories, const torch::Tensor& targets) const;
  // The items that would be a SHIFT after each whole history: histories [B, L] ->
  // [B, n_items] bool (column = item id).
  torch::Tensor shift_items(const torch::Tensor& histories) const;
  // Fits the recurrent detector alone on `split`'s training prefixes (models/shift_detector.h),
  // once: a model whose detector was fitted (or loaded from a checkpoint) keeps it. An update
  // (models/model_growth.h carries parameters, not this flag) refits it on the grown data,
  // starting from the run's weights — as the shift graph is recounted.
  void fit_detector(const Split& split, int64_t max_length);
  // Counts the category shift graph from `split`'s training prefixes (categories as for the
  // labels) and keeps it for shift_graph_log_prior.
  void fit_shift_graph(const Split& split, const Interactions& data, int64_t window,
                       int64_t em_iterations = 0);
  bool has_shift_graph() const { return shift_graph_.defined(); }
  // weight x log P(each item's category | the categories of each history's last `window`
  // items), an item with several categories sharing its mass: histories [B, L] ->
  // [B, n_items]. A weight above 1 sharpens the prior toward the graph's likeliest categories.
  torch::Tensor shift_graph_log_prior(const torch::Tensor& histories, double weight = 1.0) const;
  // Counts log P(item | its category) from `split`'s training prefixes (each item's count + 1
  // over its categories' totals, averaged over its categories; an item without a category:
  // its count over all counts) and keeps it for category_item_log_popularity.
  void fit_item_popularity(const Split& split);
  torch::Tensor category_item_log_popularity() const;  // -> [n_items]
  // The move head's states, state + W state + b: [..., d] -> [..., d] (needs the move head).
  torch::Tensor move_states(const torch::Tensor& states);
  // Mean cross-entropy of each SHIFT target (labels = 1) against the shift items at its
  // position, scored by score_all(move_states(state)); zero (still attached to the graph)
  // when the batch has no SHIFT target. histories, targets [B, L] tokens, labels [B, L]
  // (labels(histories, targets), shared with loss()), states [B, L, d].
  torch::Tensor move_loss(const torch::Tensor& histories, const torch::Tensor& labels,
                          const torch::Tensor& states, const torch::Tensor& targets,
                          const ItemScorer& score_all);
  // The next-item distribution split by the head: with p = probability(states),
  //   log P(i) = log((1 - p) softmax_{non-shift}(s)_i + p softmax_{shift}(m)_i),
  // the head deciding *whether* the interest moves, the scores s [B, n_items] where it stays
  // and m where it moves: the move head's scores when given (`move_scores`), else m = s.
  // Rows without shift items keep the non-shift softmax.
  // histories [B, L], last gap buckets [B] (as for logits), last states [B, d],
  // scores [B, n_items], the detector's last logits [B] -> [B, n_items] log-probabilities.
  // The mixture reads p = sigmoid(scale x logit + offset) (mixture_log_odds); p's own
  // readings, probability() and the loss, keep the logit itself.
  torch::Tensor mixture_scores(const torch::Tensor& histories, const torch::Tensor& gaps,
                               const torch::Tensor& states, const torch::Tensor& scores,
                               const torch::Tensor& move_scores = {},
                               const torch::Tensor& history_logits = {},
                               MixtureLogOdds mixture_log_odds = {});

 private:
  // The detector's inputs: histories [B, L] -> [B, L, features] (novelty one-hots, then the
  // recency one-hots when the detector reads them, then the shift graph's unseen mass when it
  // reads the graph, which must be fitted then).
  torch::Tensor detector_inputs(const torch::Tensor& histories) const;
  // seen [N, C] 0/1 categories, visible [N, L] tokens -> [N, n_items] bool shift items
  torch::Tensor shift_items_given(const torch::Tensor& seen, const torch::Tensor& visible) const;

  torch::nn::Linear linear_{nullptr};
  torch::nn::Linear move_{nullptr};          // [d -> d], with the move head
  torch::nn::Embedding gap_logit_{nullptr};  // [kGapBuckets, 1], with reads_gaps
  ShiftDetector detector_{nullptr};          // with recurrent_detector
  torch::Tensor detector_fitted_;            // [] 0/1, with recurrent_detector (saved)
  torch::Tensor categories_;  // [n_items + 1 + extra, n_categories] multi-hot, row 0 = padding
  int64_t n_items_;
  double common_share_;                // categories on more items are ignored (labels, shift graph)
  torch::Tensor shift_graph_;          // [C, C] P(to | from), row = from; undefined until fitted
  torch::Tensor item_log_popularity_;  // [n_items] log P(item | category); undefined until fitted
  int64_t shift_graph_window_ = 0;
};
TORCH_MODULE(ShiftHead);

}  // namespace shiftrec
