// Graph–sequence hybrids: SASRec whose item table (the Transformer's inputs and the scoring
// matrix) comes from a GNN over a training graph, trained end to end.
//
//   graph_sasrec          graph-initialised: the items' LightGCN-propagated embeddings over the
//                         user–item bipartite graph (user ID embeddings join as graph nodes)
//   fusion_sasrec         gated fusion, per item: g * E_id + (1 - g) * E_graph,
//                         g = σ(w · [E_id, E_graph] + b)
//   session_graph_sasrec  GC-SAN style: propagation over the item transition graph (item ->
//                         next item in training sequences, row-normalised), fused as above
// Ablation switches ([model], on top of SASRec's d, blocks, heads, dropout, max_length):
//   graph = "bipartite" | "transition",  graph_layers = K (0 = no propagation),
//   encoder = "lightgcn" (layer mean, no parameters) | "ngcf" (NGCF layers, their
//   concatenation projected back to d; message_dropout = 0.1),
//   fusion = true | false,  transition_window = 1,
//   shift_head = true | false,  shift_loss_weight = 0.5,  shift_mixture = true | false,
//   shift_move_head = true | false,  shift_move_weight = 1.0,
//   shift_graph = true | false,  shift_graph_window = 5
// The shift head (a linear layer on the user state) predicts whether the next item is an
// interest SHIFT — its categories share none with the visible history's and it is no repeat
// (categories on more than 90% of items ignored, as for the labels) — trained jointly with
// BCE; the evaluator scores shift detection with its probability. With shift_mixture, the
// head also shapes the ranking: the next-item distribution becomes (1 - p) x the softmax over
// the non-shift items + p x the softmax over the shift items (ShiftHead::mixture_scores), so
// the head says whether the interest moves and the item scores where. With shift_move_head,
// "where" is learned apart (ShiftHead's move head: cross-entropy over the shift items at the
// SHIFT positions, weighted shift_move_weight) and the mixture ranks shift items by it. With
// shift_graph, the shift items' scores in the mixture also get the log-probability of their
// category under the category shift graph counted from the training sequences, given the
// last shift_graph_window items' categories (graph/category_shifts.h).
// With graph_layers = 0 and fusion = false no parameter is added and the model computes
// exactly what SASRec computes at the same seed (tested).
#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/linear.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/interactions.h"
#include "datasets/time_gaps.h"
#include "graph/bipartite_graph.h"
#include "graph/item_transitions.h"
#include "models/ngcf_layers.h"
#include "models/propagation.h"
#include "models/sasrec.h"
#include "models/shift_head.h"

namespace shiftrec {
namespace {

struct HybridOptions {
  std::string graph = "bipartite";
  int64_t layers = 2;
  bool fusion = false;
  int64_t transition_window = 1;
  bool shift_head = false;
  double shift_loss_weight = 0.5;
  bool shift_mixture = false;
  bool shift_move_head = false;
  bool shift_graph = false;
  int64_t shift_graph_window = 5;
  double shift_move_weight = 1.0;
  std::string encoder = "lightgcn";
  double message_dropout = 0.1;
};

class GraphSASRec : public SASRec {
 public:
  GraphSASRec(const SASRecOptions& base, const HybridOptions& hybrid, int64_t n_users,
              const Interactions* data)
      : SASRec(base), hybrid_(hybrid), n_users_(n_users), data_(data) {
    // Registered after SASRec's parameters, so SASRec's part draws the same initial values.
    torch::NoGradGuard no_grad;
    if (hybrid_.graph == "bipartite" && hybrid_.layers > 0) {
      user_embedding_ = register_module("user_embedding", torch::nn::Embedding(n_users, base.d()));
      torch::nn::init::xavier_normal_(user_embedding_->weight);
    }
    if (hybrid_.encoder == "ngcf" && hybrid_.layers > 0) {
      ngcf_ =
          register_module("ngcf", NgcfLayers(base.d(), hybrid_.layers, hybrid_.message_dropout));
      ngcf_projection_ =
          register_module("ngcf_projection", torch::nn::Linear(ngcf_->output_size(), base.d()));
      torch::nn::init::xavier_normal_(ngcf_projection_->weight);
    }
    if (hybrid_.fusion) {
      gate_ = register_module("fusion_gate", torch::nn::Linear(2 * base.d(), 1));
    }
    if (hybrid_.shift_head) {
      SHIFTREC_ASSERT(data != nullptr, "shift head without data");
      shift_head_ = register_module(
          "shift_head", ShiftHead(base.d(), *data, hybrid_.shift_move_head, base.time_gaps()));
    }
  }

  bool has_shift_head() const override { return hybrid_.shift_head; }
  torch::Tensor score_next(const torch::Tensor& histories, const torch::Tensor& gaps,
                           const torch::Tensor& states) override {
    auto scores = score_all(states);
    if (!hybrid_.shift_mixture) return scores;
    auto move = hybrid_.shift_move_head ? score_all(shift_head_->move_states(states)) : scores;
    if (hybrid_.shift_graph) move = move + shift_head_->shift_graph_log_prior(histories);
    return shift_head_->mixture_scores(histories, last_gap_buckets(gaps), states, scores, move);
  }
  torch::Tensor shift_probability(const torch::Tensor& states, const torch::Tensor& gaps) override {
    return shift_head_->probability(states, gaps);
  }

  torch::Tensor auxiliary_loss(const torch::Tensor& histories, const torch::Tensor& gaps,
                               const torch::Tensor& states, const torch::Tensor& targets) override {
    if (!hybrid_.shift_head) return {};
    const auto labels = shift_head_->labels(histories, targets);  // [B, L], for both losses
    auto value = shift_head_->loss(labels, gaps, states, targets) * hybrid_.shift_loss_weight;
    if (!hybrid_.shift_move_head) return value;
    const auto scorer = [this](const torch::Tensor& s) { return score_all(s); };
    return value + shift_head_->move_loss(histories, labels, states, targets, scorer) *
                       hybrid_.shift_move_weight;
  }

  void fit_statistics(const Split& split) override {
    invalidate_table();  // a new graph
    if (hybrid_.shift_graph) {
      shift_head_->fit_shift_graph(split, *data_, hybrid_.shift_graph_window);
    }
    if (hybrid_.layers == 0) return;
    const auto device = item_embedding_->weight.device();
    adjacency_ = SparseMatrix(
        hybrid_.graph == "bipartite"
            ? normalized_adjacency(build_bipartite_graph(split), device)
            : transition_matrix(build_item_transitions(split, hybrid_.transition_window), device));
  }

 protected:
  torch::Tensor item_table() override {
    const auto& weight = item_embedding_->weight;  // [n_items + 1, d]
    const int64_t n = options().n_items();
    auto ids = weight.narrow(0, 1, n);
    auto graph = ids;
    if (hybrid_.layers > 0) {
      SHIFTREC_ASSERT(adjacency_.defined(),
                      "graph hybrid used before fit_statistics built its graph");
      const bool bipartite = hybrid_.graph == "bipartite";
      auto nodes = bipartite ? at::cat({user_embedding_->weight, ids}, 0) : ids;
      auto propagated = ngcf_ ? ngcf_projection_->forward(ngcf_->forward(adjacency_, nodes))
                              : light_propagate(adjacency_, nodes, hybrid_.layers);
      graph = bipartite ? propagated.narrow(0, n_users_, n) : propagated;
    }
    auto items = graph;
    if (hybrid_.fusion) {
      auto g = at::sigmoid(gate_->forward(at::cat({ids, graph}, 1)));  // [n, 1]
      items = g * ids + (1 - g) * graph;
    }
    if (hybrid_.layers == 0 && !hybrid_.fusion) return weight;  // exactly SASRec
    return at::cat({weight.narrow(0, 0, 1), items}, 0);
  }

 private:
  HybridOptions hybrid_;
  int64_t n_users_;
  const Interactions* data_;  // the dataset (categories for the shift head); may be null
  torch::nn::Embedding user_embedding_{nullptr};
  torch::nn::Linear gate_{nullptr};
  NgcfLayers ngcf_{nullptr};
  torch::nn::Linear ngcf_projection_{nullptr};
  ShiftHead shift_head_{nullptr};
  SparseMatrix adjacency_;
};

std::shared_ptr<Recommender> make_hybrid(ConfigSection s, const ModelContext& context,
                                         HybridOptions defaults) {
  const SASRecOptions base = sasrec_options_from_config(s, context.n_items);
  HybridOptions o = defaults;
  o.graph = s.get_string("graph", o.graph, "bipartite (user-item) or transition (item-item)",
                         {"bipartite", "transition"});
  o.layers = s.get_int("graph_layers", o.layers, 0, 16, "propagation layers; 0 = none");
  o.encoder = s.get_string("encoder", o.encoder,
                           "lightgcn (layer mean) or ngcf (NGCF layers, projected to d)",
                           {"lightgcn", "ngcf"});
  if (o.encoder == "ngcf") {
    o.message_dropout = s.get_double("message_dropout", o.message_dropout, 0.0, 0.99,
                                     "NGCF encoder: dropout on each layer's messages");
  }
  o.fusion = s.get_bool("fusion", o.fusion, "gate ID and graph embeddings per item");
  o.transition_window = s.get_int("transition_window", o.transition_window, 1, 1 << 10,
                                  "transition graph: positions a next item may be away");
  o.shift_head = s.get_bool("shift_head", o.shift_head,
                            "predict interest shifts from the user state, trained jointly");
  o.shift_loss_weight = s.get_double("shift_loss_weight", o.shift_loss_weight, 0.0, 100.0,
                                     "weight of the shift head's BCE in the training loss");
  o.shift_mixture = s.get_bool("shift_mixture", o.shift_mixture,
                               "rank with the shift head's mixture of shift and non-shift items");
  o.shift_move_head = s.get_bool("shift_move_head", o.shift_move_head,
                                 "learn where shifts go apart: a second head on the user state, "
                                 "cross-entropy over the shift items at SHIFT positions");
  if (o.shift_move_head) {
    o.shift_move_weight = s.get_double("shift_move_weight", o.shift_move_weight, 0.0, 100.0,
                                       "weight of the move head's cross-entropy in the loss");
  }
  o.shift_graph = s.get_bool("shift_graph", o.shift_graph,
                             "rank shift items also by a category shift graph counted from "
                             "the training sequences (needs shift_mixture)");
  if (o.shift_graph) {
    o.shift_graph_window = s.get_int("shift_graph_window", o.shift_graph_window, 1, 1 << 10,
                                     "shift graph: the recent items whose categories a "
                                     "shift moves from");
  }
  if (o.shift_graph && !o.shift_mixture) {
    s.fail("shift_graph", "needs shift_mixture = true");
  }
  if (o.shift_mixture && !o.shift_head) {
    s.fail("shift_mixture", "needs shift_head = true");
  }
  if (o.shift_move_head && !o.shift_head) {
    s.fail("shift_move_head", "needs shift_head = true");
  }
  if (o.shift_head && (context.data == nullptr || !context.data->has_categories())) {
    s.fail("shift_head", "needs item categories, and this dataset has none");
  }
  return std::make_shared<GraphSASRec>(base, o, context.n_users, context.data);
}

}  // namespace

SHIFTREC_REGISTER_MODEL("graph_sasrec",
                        "SASRec whose item inputs are LightGCN-propagated over the user-item "
                        "graph, trained end to end",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, false, 1});
                        });
SHIFTREC_REGISTER_MODEL("fusion_sasrec",
                        "SASRec with a per-item gate fusing ID and graph-propagated embeddings",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, true, 1});
                        });
SHIFTREC_REGISTER_MODEL("shift_sasrec",
                        "fusion_sasrec with a shift head on the user state, trained jointly; "
                        "its probability is the model's shift score",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"bipartite", 2, true, 1, true, 0.5});
                        });
SHIFTREC_REGISTER_MODEL("session_graph_sasrec",
                        "GC-SAN style: SASRec over item embeddings propagated on the item "
                        "transition graph, gated with the ID embeddings",
                        [](ConfigSection s, const ModelContext& c) {
                          return make_hybrid(s, c, {"transition", 1, true, 1});
                        });

}  // namespace shiftrec
