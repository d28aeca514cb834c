// The shared shape of general-CF graph models (LightGCN, NGCF): users and items are nodes of
// the training bipartite graph, a subclass turns the ID embeddings into propagated node
// representations [n_users + n_items, D], and a user's score for an item is the dot product
// of theirs. Users are represented by id (uses_user_ids); the graph is built from the training
// split in fit_statistics, on the model's device.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn/modules/embedding.h>

#include "models/recommender.h"

namespace shiftrec {

class GraphCollaborativeModel : public Recommender {
 public:
  GraphCollaborativeModel(int64_t n_users, int64_t n_items, int64_t d, int64_t window);

  void fit_statistics(const Split& split) override;
  bool uses_user_ids() const override { return true; }
  // [B] -> [B, D]: propagates the whole graph and keeps the items' side for scoring.
  torch::Tensor encode_users(const torch::Tensor& users) override;
  torch::Tensor encode(const torch::Tensor& histories) override;  // an InternalError
  torch::Tensor score_all(const torch::Tensor& states) override;
  torch::Tensor score_candidates(const torch::Tensor& states, const torch::Tensor& items) override;
  torch::Tensor item_embeddings() override;
  int64_t max_length() const override { return window_; }
  int64_t n_items() const override { return n_items_; }

 protected:
  // The ID embeddings of every node (users first) propagated over `adjacency`: [N, D].
  virtual torch::Tensor propagate(const torch::Tensor& adjacency, const torch::Tensor& nodes) = 0;

  torch::nn::Embedding user_embedding_{nullptr};  // [n_users, d]
  torch::nn::Embedding item_embedding_{nullptr};  // [n_items, d]

 private:
  void refresh();
  std::vector<int64_t> parameter_versions() const;
  const torch::Tensor& items();

  int64_t n_users_, n_items_, window_;
  torch::Tensor adjacency_;  // sparse, normalised; not a parameter (rebuilt from the split)
  torch::Tensor users_out_, items_out_;  // of the last propagation
  bool cached_in_training_ = true;        // ... made in training mode (with autograd history)
  std::vector<int64_t> cached_versions_;  // ... from parameters at these versions
};

}  // namespace shiftrec
