#include "models/shift_head_part.h"

#include "core/config.h"
#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/time_gaps.h"

namespace shiftrec {

ShiftHeadOptions read_shift_head_options(ConfigSection& s, const std::string& prefix) {
  ShiftHeadOptions o;
  o.loss_weight = s.get_double(prefix + "loss_weight", o.loss_weight, 0.0, 100.0,
                               "weight of the shift head's BCE in the training loss");
  o.mixture = s.get_bool(prefix + "mixture", o.mixture,
                         "rank with the shift head's mixture of shift and non-shift items");
  if (o.mixture) {
    o.mixture_offset = s.get_double(prefix + "mixture_offset", o.mixture_offset, -20.0, 20.0,
                                    "added to the head's log-odds in the mixture alone (the "
                                    "ranking's stay-or-move balance; detection unchanged)");
    o.mixture_scale = s.get_double(prefix + "mixture_scale", o.mixture_scale, 0.0, 20.0,
                                   "multiplies the head's log-odds in the mixture alone, "
                                   "before the offset (how far the ranking follows the "
                                   "detector's order; detection unchanged)");
  }
  o.move_head = s.get_bool(prefix + "move_head", o.move_head,
                           "learn where shifts go apart: a second head on the user state, "
                           "cross-entropy over the shift items at SHIFT positions");
  if (o.move_head) {
    o.move_weight = s.get_double(prefix + "move_weight", o.move_weight, 0.0, 100.0,
                                 "weight of the move head's cross-entropy in the loss");
  }
  o.graph = s.get_bool(prefix + "graph", o.graph,
                       "rank shift items also by a category shift graph counted from "
                       "the training sequences (needs mixture)");
  if (o.graph) {
    o.graph_window = s.get_int(prefix + "graph_window", o.graph_window, 1, 1 << 10,
                               "shift graph: the recent items whose categories a "
                               "shift moves from");
    o.graph_iterations =
        s.get_int(prefix + "graph_iterations", o.graph_iterations, 0, 1000,
                  "shift graph: expectation-maximisation passes attributing each shift to "
                  "the recent category it came from (0: split evenly)");
    o.graph_weight = s.get_double(prefix + "graph_weight", o.graph_weight, 0.0, 20.0,
                                  "shift graph: multiplies its log-prior on the shift items "
                                  "(above 1: sharper toward its likeliest categories)");
    o.graph_popularity =
        s.get_bool(prefix + "graph_popularity", o.graph_popularity,
                   "shift graph: rank shift items by the graph and their counted popularity "
                   "within their category, not by the model's scores");
  }
  o.recurrent_detector =
      s.get_bool(prefix + "recurrent_detector", o.recurrent_detector,
                 "add a small GRU over the history's novelty and gaps to the head's logit");
  if (o.recurrent_detector && o.graph) {
    o.detector_reads_graph =
        s.get_bool(prefix + "detector_reads_graph", o.detector_reads_graph,
                   "the recurrent detector also reads, per item, the shift graph's mass on "
                   "categories the history has not shown");
  }
  if (o.recurrent_detector) {
    o.detector_recency =
        s.get_bool(prefix + "detector_recency", o.detector_recency,
                   "the recurrent detector also reads how far back each returning item's "
                   "category was last shown (2, 3-4, 5-8, 9+ items)");
  }
  if (o.graph && !o.mixture) s.fail(prefix + "graph", "needs " + prefix + "mixture = true");
  if (o.graph_popularity && o.move_head) {
    s.fail(prefix + "graph_popularity",
           "ranks shift items without the model's scores, so the move head would be unused");
  }
  return o;
}

ShiftHeadPart::ShiftHeadPart(const ShiftHeadOptions& options, const HeadContext& c)
    : options_(options), data_(c.data), max_length_(c.max_length) {
  SHIFTREC_ASSERT(c.data != nullptr && c.data->has_categories(),
                  "a shift head without item categories");
  head_ = register_module(
      "shift_head",
      ShiftHead(c.d, *c.data, options_.move_head, c.time_gaps, c.extra_tokens,
                kTrainingCommonCategoryShare, options_.recurrent_detector,
                ShiftDetectorReads{options_.detector_reads_graph, options_.detector_recency}));
}

at::Tensor ShiftHeadPart::loss(const ModelInput& input, const at::Tensor& states,
                               const at::Tensor& targets, const ItemScorer& score_all) {
  const auto labels = head_->labels(input.histories, targets);  // [B, L], for both losses
  const auto detector = head_->history_logits(input.histories, input.gaps);  // [B, L]
  auto value = head_->loss(labels, input.gaps, states, targets, detector) * options_.loss_weight;
  if (!options_.move_head) return value;
  return value + head_->move_loss(input.histories, labels, states, targets, score_all) *
                     options_.move_weight;
}

at::Tensor ShiftHeadPart::rescore(const ModelInput& input, const at::Tensor& last_states,
                                  const at::Tensor& scores, const ItemScorer& score_all) {
  if (!options_.mixture) return scores;
  auto move = options_.move_head ? score_all(head_->move_states(last_states)) : scores;
  if (options_.graph_popularity) move = head_->category_item_log_popularity().unsqueeze(0);
  if (options_.graph)
    move = move + head_->shift_graph_log_prior(input.histories, options_.graph_weight);  // [B, n]
  return head_->mixture_scores(input.histories, last_gap_buckets(input.gaps), last_states, scores,
                               move, last_history_logits(input),
                               MixtureLogOdds{options_.mixture_scale, options_.mixture_offset});
}

at::Tensor ShiftHeadPart::last_history_logits(const ModelInput& input) {
  const auto all = head_->history_logits(input.histories, input.gaps);
  return all.defined() ? all.select(1, all.size(1) - 1) : all;
}

std::optional<Recommender::ShiftScore> ShiftHeadPart::shift_score() {
  return Recommender::ShiftScore([this](const ModelInput& input, const at::Tensor& last_states) {
    return head_->probability(last_states, last_gap_buckets(input.gaps),
                              last_history_logits(input));
  });
}

void ShiftHeadPart::fit(const Split& split) {
  if (options_.graph)
    head_->fit_shift_graph(split, *data_, options_.graph_window, options_.graph_iterations);
  if (options_.graph_popularity) head_->fit_item_popularity(split);
  if (options_.recurrent_detector) head_->fit_detector(split, max_length_);
}

SHIFTREC_REGISTER_HEAD("shift",
                       "predicts whether the next item is an interest SHIFT (BCE, jointly); "
                       "optionally reshapes the ranking (mixture, move head, shift graph)",
                       [](ConfigSection s, const HeadContext& c) {
                         const ShiftHeadOptions o = read_shift_head_options(s, "");
                         if (c.data == nullptr || !c.data->has_categories()) {
                           s.fail("loss_weight",
                                  "the shift head needs item categories, and this dataset "
                                  "has none");
                         }
                         return std::make_shared<ShiftHeadPart>(o, c);
                       });

}  // namespace shiftrec
