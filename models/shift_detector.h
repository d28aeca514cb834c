// The shift head's recurrent detector: a small GRU that reads, column by column, whether each
// history item opened a category the history had not shown before it (novelty), stayed in
// the previous item's category, or returned to another seen one, and the gap to the next
// interaction, and adds a logit to the head's.
//
// Why: a SHIFT target is more likely while the user holds an interest the history has not
// shown yet. A long gap (a regime change) raises that belief, a novel item resolves it, every
// ordinary item lowers it, and a run of items from one category (the other interest gone
// quiet) raises it — a filter over the whole history, which the head's linear read of
// the last state and of the last gap does not see (on the planted-shift data that filter,
// written out with the generator's own laws, detects shifts with ROC-AUC 0.664 where the last
// gap alone gives 0.616: experiments/shift_study/README.md). The GRU learns it from the
// head's BCE; without timestamps it reads the novelty alone.
//
// A GRU learns slowly at the joint training's pace (a few hundred steps before early stopping
// on the quickstart), so before training the head fits it alone on the training prefixes
// (fit_shift_detector below); joint training then refines it with the rest of the head.
#pragma once

#include <cstdint>
#include <functional>

#include <ATen/core/Tensor.h>

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>

namespace shiftrec {

// What the detector reads beyond the novelty one-hots (and the gaps, where there are any).
struct ShiftDetectorReads {
  bool graph = false;    // + 1 feature per column: shift_graph_unseen_mass below
  bool recency = false;  // + kRecencyBuckets features: shift_detector_recency below
};

class ShiftDetectorImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kHidden = 16;
  static constexpr int64_t kGapWidth = 4;
  static constexpr int64_t kFeatures = 3;
  static constexpr int64_t kRecencyBuckets = 4;

  explicit ShiftDetectorImpl(bool reads_gaps, ShiftDetectorReads reads = {});
  bool reads_gaps() const { return !gap_.is_empty(); }
  bool reads_graph() const { return reads_.graph; }
  bool reads_recency() const { return reads_.recency; }
  // features [B, L, kFeatures (+ kRecencyBuckets with recency) (+ 1 with graph)]
  // (shift_detector_features, then shift_detector_recency, then shift_graph_unseen_mass),
  // histories [B, L] tokens
  // (left-padded; padding is never read), gaps [B, L] buckets (read only with reads_gaps)
  // -> [B, L] logits: column t's from columns <= t only.
  torch::Tensor forward(const torch::Tensor& features, const torch::Tensor& histories,
                        const torch::Tensor& gaps);

 private:
  torch::nn::Embedding gap_{nullptr};  // [kGapBuckets, kGapWidth], with reads_gaps
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear out_{nullptr};  // [kHidden -> 1]
  ShiftDetectorReads reads_;
};
TORCH_MODULE(ShiftDetector);

// What each history column's item was, one-hot: [novel, same, other] — novel: it carries a
// category none of the columns before it carries and repeats none of their items; same: it
// shares a category with the item just before it; other: any other item (one with no
// category included). categories [tokens, C] (item_category_table), histories [B, L]
// -> [B, L, 3] float, all zero on padding.
at::Tensor shift_detector_features(const at::Tensor& categories, const at::Tensor& histories);

// The "other" items of shift_detector_features split by how far back the history last showed
// one of their categories: one-hot [2, 3-4, 5-8, 9 or more columns back (or never: an item
// with no category)], so the four sum to "other". Why: with a few interests active at once,
// a return to a category shown a few items ago is the other current interest, one shown long
// ago is an old interest coming back (or noise) — what the three one-hots cannot tell apart.
// categories [tokens, C] (item_category_table), histories [B, L] (left-padded), features
// [B, L, 3] (shift_detector_features of the same, whose "other" column is split)
// -> [B, L, kRecencyBuckets] float, all zero on padding, novel and same columns.
at::Tensor shift_detector_recency(const at::Tensor& categories, const at::Tensor& histories,
                                  const at::Tensor& features);

// The chance, by a category shift graph, that a shift after each column lands on a category
// the history has not shown up to it: with r_t the categories of columns t - window + 1 .. t
// (each present category weighted equally, as the head's shift_graph_log_prior weighs the
// last `window` items) and seen_t those of columns <= t,
//   mass_t = sum over categories c not in seen_t of (r_t x graph)_c.
// categories [tokens, C] (item_category_table), histories [B, L] (left-padded),
// graph [C, C] P(to | from) -> [B, L] float, 0 on padding.
at::Tensor shift_graph_unseen_mass(const at::Tensor& categories, const at::Tensor& histories,
                                   const at::Tensor& graph, int64_t window);

struct Split;

// What the detector reads for histories [B, L] -> [B, L, features] (the head's own features).
using ShiftDetectorInputs = std::function<at::Tensor(const at::Tensor& histories)>;

struct ShiftDetectorFit {
  int64_t epochs = 10;
  int64_t batch_rows = 256;
  double learning_rate = 1e-2;
};

// Fits `detector` alone (BCE, Adam) on every training position of `split` with a history:
// each user's training prefix cut into windows of max_length + 1 items (every target in one
// window), labels as shift_position_labels over `categories` (item_category_table), inputs
// from `inputs` (empty: shift_detector_features over `categories`), gaps from the split's
// times when the detector reads them. Draws from torch's global generator.
// -> the last epoch's mean loss.
double fit_shift_detector(ShiftDetectorImpl& detector, const at::Tensor& categories,
                          const Split& split, int64_t max_length, const ShiftDetectorFit& fit = {},
                          const ShiftDetectorInputs& inputs = {});

}  // namespace shiftrec
