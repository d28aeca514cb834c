// The shared shape of general-CF graph models (LightGCN, NGCF): users and items are nodes of
// the training bipartite graph, a subclass turns the ID embeddings into propagated node
// representations [n_users + n_items, D], and a user's score for an item is the dot product
// of theirs. Users are represented by id (uses_user_ids); the graph is built from the training
// split in fit_statistics, on the model's device.
//
// Neighbour-sampled training (`sampled_fanouts = [f1, ..., fK]`, graph/neighbour_sampling.h),
// for graphs too large to propagate whole at every step: in training, a batch's users are
// propagated over a subgraph sampled around them, and the items a loss scores
// (score_candidates: positives and negatives) over one sampled around those items; each
// node's sampled propagation has the full one's expectation for the first K steps and equals
// it when every fanout covers the largest degree (tested). Evaluation always propagates the
// whole graph. Give K = the number of layers (fewer hops leave the deeper layers to the
// seeds' nearer neighbours only).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/nn/modules/embedding.h>

#include "models/recommender.h"
#include "models/sparse_matrix.h"

namespace shiftrec {

struct BipartiteGraph;

class GraphCollaborativeModel : public Recommender {
 public:
  GraphCollaborativeModel(int64_t n_users, int64_t n_items, int64_t d, int64_t window);
  // Empty = full propagation in training too (the default).
  void set_sampled_fanouts(std::vector<int64_t> fanouts) { fanouts_ = std::move(fanouts); }
  void set_embedding_l2(double lambda) { embedding_l2_ = lambda; }

  void fit_statistics(const Split& split) override;
  bool uses_user_ids() const override { return true; }
  // [B] -> [B, D]: propagates the whole graph and keeps the items' side for scoring.
  torch::Tensor encode_users(const torch::Tensor& users) override;
  torch::Tensor encode(const torch::Tensor& histories) override;  // an InternalError
  torch::Tensor score_all(const torch::Tensor& states) override;
  torch::Tensor score_candidates(const torch::Tensor& states, const torch::Tensor& items) override;
  torch::Tensor item_embeddings() override;
  // The embedding_l2 penalty of the users encoded and the items scored in training since the
  // last call: [] (undefined when λ = 0 or nothing was read).
  torch::Tensor batch_penalty() override;
  int64_t max_length() const override { return window_; }
  int64_t n_items() const override { return n_items_; }

 protected:
  // The ID embeddings of every node (users first) propagated over `adjacency`: [N, D].
  virtual torch::Tensor propagate(const SparseMatrix& adjacency, const torch::Tensor& nodes) = 0;

  torch::nn::Embedding user_embedding_{nullptr};  // [n_users, d]
  torch::nn::Embedding item_embedding_{nullptr};  // [n_items, d]

 private:
  void refresh();
  bool sampling() const { return is_training() && !fanouts_.empty(); }
  // Global node ids (users first, then items) -> their sampled propagation [seeds, D];
  // `seeds` distinct.
  torch::Tensor propagate_around(const std::vector<int32_t>& seeds);
  // Node ids [N] (any shape flattened, repeats allowed) -> [N, D] through propagate_around.
  torch::Tensor sampled_nodes(const torch::Tensor& nodes);
  const torch::Tensor& items();

  int64_t n_users_, n_items_, window_;
  SparseMatrix adjacency_;        // normalised; not a parameter (rebuilt from the split)
  std::vector<int64_t> fanouts_;  // neighbour-sampled training when set
  double embedding_l2_ = 0.0;
  torch::Tensor penalty_users_;                  // [B] users encoded in training, for the penalty
  std::vector<torch::Tensor> penalty_items_;     // item ids scored in training, for the penalty
  std::shared_ptr<const BipartiteGraph> graph_;  // kept for sampling
  torch::Tensor users_out_, items_out_;          // of the last propagation
  bool cached_in_training_ = true;        // ... made in training mode (with autograd history)
  std::vector<int64_t> cached_versions_;  // ... from parameters at these versions
};

class ConfigSection;

// Reads the options every general-CF graph model has — `sampled_fanouts` (a list of positive
// ints, default empty) and `embedding_l2` (default 0) — into `model`.
void read_graph_cf_options(ConfigSection& section, GraphCollaborativeModel& model);

}  // namespace shiftrec
