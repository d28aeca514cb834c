#include "models/shift_head.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/log.h"
#include "datasets/interactions.h"
#include "datasets/time_gaps.h"
#include "graph/category_shifts.h"
#include "models/shift_position_labels.h"

namespace shiftrec {

ShiftHeadImpl::ShiftHeadImpl(int64_t d, const Interactions& data, bool move_head, bool reads_gaps,
                             int64_t extra_tokens, double common_share, bool recurrent_detector,
                             ShiftDetectorReads detector_reads)
    : n_items_(data.n_items), common_share_(common_share) {
  SHIFTREC_ASSERT(data.has_categories(), "a shift head needs item categories");
  linear_ = register_module("linear", torch::nn::Linear(d, 1));
  if (move_head) {
    move_ = register_module("move", torch::nn::Linear(d, d));
    torch::NoGradGuard no_grad;
    move_->weight.zero_();  // starts as the next-item ranking itself
    move_->bias.zero_();
  }
  if (reads_gaps) {
    gap_logit_ = register_module("gap_logit", torch::nn::Embedding(kGapBuckets, 1));
    torch::NoGradGuard no_grad;
    gap_logit_->weight.zero_();  // starts as the plain linear head
  }
  if (recurrent_detector) {
    detector_ = register_module("detector", ShiftDetector(reads_gaps, detector_reads));
    detector_fitted_ = register_buffer("detector_fitted", torch::zeros({}, at::kFloat));
  }
  categories_ =
      register_buffer("item_categories", item_category_table(data, extra_tokens, common_share));
}

torch::Tensor ShiftHeadImpl::logits(const torch::Tensor& states, const torch::Tensor& gaps,
                                    const torch::Tensor& history_logits) {
  auto logits = linear_->forward(states).squeeze(-1);
  if (has_detector()) {
    SHIFTREC_ASSERT(history_logits.defined(), "a shift head with a detector called without it");
    logits = logits + history_logits;
  }
  if (!reads_gaps()) return logits;
  SHIFTREC_ASSERT(gaps.defined(), "a gap-reading shift head called without gaps");
  return logits + gap_logit_->forward(gaps).squeeze(-1);
}

torch::Tensor ShiftHeadImpl::probability(const torch::Tensor& states, const torch::Tensor& gaps,
                                         const torch::Tensor& history_logits) {
  return at::sigmoid(logits(states, gaps, history_logits));
}

torch::Tensor ShiftHeadImpl::history_logits(const torch::Tensor& histories,
                                            const torch::Tensor& gaps) {
  if (!has_detector()) return {};
  return detector_->forward(detector_inputs(histories), histories, gaps);
}

torch::Tensor ShiftHeadImpl::detector_inputs(const torch::Tensor& histories) const {
  auto features = shift_detector_features(categories_, histories);  // [B, L, 3]
  if (detector_->reads_recency()) {
    features = at::cat({features, shift_detector_recency(categories_, histories, features)}, -1);
  }
  if (!detector_->reads_graph()) return features;
  SHIFTREC_ASSERT(has_shift_graph(), "a graph-reading shift detector before fit_shift_graph");
  const auto mass =
      shift_graph_unseen_mass(categories_, histories, shift_graph_, shift_graph_window_);
  return at::cat({features, mass.unsqueeze(-1)}, -1);
}

torch::Tensor ShiftHeadImpl::labels(const torch::Tensor& histories,
                                    const torch::Tensor& targets) const {
  return shift_position_labels(categories_, histories, targets);
}

torch::Tensor ShiftHeadImpl::shift_items_given(const torch::Tensor& seen,
                                               const torch::Tensor& visible) const {
  auto items = categories_.narrow(0, 1, n_items_);            // [n, C]
  auto overlaps = at::matmul(seen, items.t()).gt(0);          // [N, n]
  auto has_category = items.sum(-1).gt(0).unsqueeze(0);       // [1, n]
  auto counts = at::zeros(overlaps.sizes(), seen.options());  // visible items; padding adds 0
  const auto is_item = visible.gt(0) & visible.le(n_items_);  // not padding nor an extra token
  counts.scatter_add_(1, (visible - 1).clamp(0, n_items_ - 1), is_item.to(at::kFloat));
  return has_category & overlaps.logical_not() & counts.gt(0).logical_not();
}

torch::Tensor ShiftHeadImpl::shift_items(const torch::Tensor& histories) const {
  auto seen = at::embedding(categories_, histories).sum(1).gt(0).to(at::kFloat);  // [B, C]
  return shift_items_given(seen, histories);
}

void ShiftHeadImpl::fit_detector(const Split& split, int64_t max_length) {
  if (!has_detector() || detector_fitted_.item<float>() > 0.0f) return;
  const bool training = is_training();
  detector_->train();
  const double started = seconds_since_start();
  const double loss = fit_shift_detector(
      *detector_, categories_, split, max_length, ShiftDetectorFit{},
      [this](const torch::Tensor& histories) { return detector_inputs(histories); });
  char line[160];
  std::snprintf(line, sizeof line,
                "shift detector fitted on the training prefixes in %.1f s (BCE %.4f)",
                seconds_since_start() - started, loss);
  log_info(line);
  detector_->train(training);
  torch::NoGradGuard no_grad;
  detector_fitted_.fill_(1.0f);
}

void ShiftHeadImpl::fit_shift_graph(const Split& split, const Interactions& data, int64_t window,
                                    int64_t em_iterations) {
  CategoryShiftOptions options;
  options.common_share = common_share_;
  options.window = window;
  options.smoothing = 0.01;
  options.em_iterations = em_iterations;
  const CategoryShiftGraph g = count_category_shifts(split, data, options);
  shift_graph_ = at::tensor(g.probability, at::kDouble)
                     .to(categories_.device(), at::kFloat)
                     .view({g.n_categories, g.n_categories});
  shift_graph_window_ = window;
}

void ShiftHeadImpl::fit_item_popularity(const Split& split) {
  // Training counts of the items (+1) -> P(item | category).
  const auto counted = at::tensor(split.train_item_counts(), at::kLong);
  auto count = counted.to(categories_.device(), at::kFloat) + 1;       // [n]
  auto items = categories_.narrow(0, 1, n_items_).to(at::kFloat);      // [n, C]
  auto totals = at::matmul(count, items).clamp_min(1.0);               // [C]
  auto share = items / items.sum(1, /*keepdim=*/true).clamp_min(1.0);  // [n, C]
  auto within = count * (share / totals).sum(1);                       // [n]
  auto fallback = count / count.sum();
  item_log_popularity_ = at::log(at::where(items.sum(1).gt(0), within, fallback));
}

torch::Tensor ShiftHeadImpl::category_item_log_popularity() const {
  SHIFTREC_ASSERT(item_log_popularity_.defined(),
                  "item popularity used before fit_item_popularity");
  return item_log_popularity_;
}

torch::Tensor ShiftHeadImpl::shift_graph_log_prior(const torch::Tensor& histories,
                                                   double weight) const {
  SHIFTREC_ASSERT(has_shift_graph(), "shift graph used before fit_shift_graph");
  const int64_t width = std::min<int64_t>(shift_graph_window_, histories.size(1));
  auto recent = histories.narrow(1, histories.size(1) - width, width);  // left-padded: newest
  auto from = at::embedding(categories_, recent).sum(1).gt(0).to(at::kFloat);  // [B, C]
  from = from / from.sum(1, /*keepdim=*/true).clamp_min(1.0);
  auto items = categories_.narrow(0, 1, n_items_);  // [n, C]
  auto share = items / items.sum(1, /*keepdim=*/true).clamp_min(1.0);
  auto mass = at::matmul(at::matmul(from, shift_graph_), share.t());  // [B, n]
  auto log_prior = at::log(mass.clamp_min(1e-30));
  return weight == 1.0 ? log_prior : log_prior * weight;  // no [B, n] pass at the default
}

torch::Tensor ShiftHeadImpl::move_states(const torch::Tensor& states) {
  SHIFTREC_ASSERT(has_move_head(), "move_states without a move head");
  return states + move_->forward(states);
}

torch::Tensor ShiftHeadImpl::move_loss(const torch::Tensor& histories, const torch::Tensor& labels,
                                       const torch::Tensor& states, const torch::Tensor& targets,
                                       const ItemScorer& score_all) {
  auto rows = (labels.gt(0) & targets.ne(0)).nonzero();  // [P, 2]
  if (rows.size(0) == 0) return (move_->weight.sum() * 0.0);
  auto batch = rows.select(1, 0), column = rows.select(1, 1);
  // What each SHIFT position saw: its row's categories and items up to its column.
  auto seen = at::embedding(categories_, histories).cumsum(1).gt(0).to(at::kFloat);  // [B, L, C]
  auto seen_here = seen.index({batch, column});                                      // [P, C]
  auto columns = at::arange(histories.size(1), histories.options()).unsqueeze(0);    // [1, L]
  auto visible = histories.index_select(0, batch).masked_fill(columns.gt(column.unsqueeze(1)), 0);
  auto shift = shift_items_given(seen_here, visible);                   // [P, n]
  auto scores = score_all(move_states(states.index({batch, column})));  // [P, n]
  const double lowest = -std::numeric_limits<double>::infinity();
  auto log_p = at::log_softmax(scores.masked_fill(shift.logical_not(), lowest), 1);
  return -log_p.gather(1, (targets.index({batch, column}) - 1).unsqueeze(1)).mean();
}

torch::Tensor ShiftHeadImpl::mixture_scores(const torch::Tensor& histories,
                                            const torch::Tensor& gaps, const torch::Tensor& states,
                                            const torch::Tensor& scores,
                                            const torch::Tensor& move_scores,
                                            const torch::Tensor& history_logits,
                                            MixtureLogOdds mixture_log_odds) {
  const auto shift = shift_items(histories);  // [B, n]
  const double lowest = -std::numeric_limits<double>::infinity();
  auto stay = at::log_softmax(scores.masked_fill(shift, lowest), 1);
  const auto& where = move_scores.defined() ? move_scores : scores;
  auto move = at::log_softmax(where.masked_fill(shift.logical_not(), lowest), 1);
  auto head = logits(states, gaps, history_logits).unsqueeze(1) * mixture_log_odds.scale +
              mixture_log_odds.offset;  // [B, 1]
  auto log_p = at::log_sigmoid(head), log_not_p = at::log_sigmoid(-head);
  auto mixed = at::logaddexp(stay + log_not_p, move + log_p);
  // A row without shift items: its `move` is NaN; a row of only shift items: `stay` is.
  auto any_shift = shift.any(1, /*keepdim=*/true), any_stay = shift.logical_not().any(1, true);
  mixed = at::where(any_shift, mixed, stay);
  return at::where(any_stay, mixed, move);
}

torch::Tensor ShiftHeadImpl::loss(const torch::Tensor& labels, const torch::Tensor& gaps,
                                  const torch::Tensor& states, const torch::Tensor& targets,
                                  const torch::Tensor& history_logits) {
  auto supervised = targets.ne(0);
  auto all = logits(states, gaps, history_logits);  // [B, L]
  return at::binary_cross_entropy_with_logits(all.index({supervised}), labels.index({supervised}));
}

}  // namespace shiftrec
