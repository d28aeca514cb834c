#include "models/graph_cf.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "graph/bipartite_graph.h"

namespace shiftrec {

GraphCollaborativeModel::GraphCollaborativeModel(int64_t n_users, int64_t n_items, int64_t d,
                                                 int64_t window)
    : n_users_(n_users), n_items_(n_items), window_(window) {
  user_embedding_ = register_module("user_embedding", torch::nn::Embedding(n_users, d));
  item_embedding_ = register_module("item_embedding", torch::nn::Embedding(n_items, d));
}

void GraphCollaborativeModel::fit_statistics(const Split& split) {
  adjacency_ = normalized_adjacency(build_bipartite_graph(split), user_embedding_->weight.device());
  users_out_ = items_out_ = torch::Tensor();  // a new graph: nothing cached holds
}

std::vector<int64_t> GraphCollaborativeModel::parameter_versions() const {
  std::vector<int64_t> versions;
  for (const auto& p : parameters()) versions.push_back(static_cast<int64_t>(p._version()));
  return versions;
}

void GraphCollaborativeModel::refresh() {
  SHIFTREC_ASSERT(adjacency_.defined(), "graph model used before fit_statistics built its graph");
  // Evaluation scores batch after batch with unchanged parameters: one propagation serves
  // them all until a parameter is written (an optimiser step, a restored best state).
  if (!is_training() && users_out_.defined() && !cached_in_training_ &&
      cached_versions_ == parameter_versions()) {
    return;
  }
  auto all = propagate(adjacency_, at::cat({user_embedding_->weight, item_embedding_->weight}, 0));
  users_out_ = all.narrow(0, 0, n_users_);
  items_out_ = all.narrow(0, n_users_, n_items_);
  cached_in_training_ = is_training();
  cached_versions_ = parameter_versions();
}

const torch::Tensor& GraphCollaborativeModel::items() {
  if (!items_out_.defined()) refresh();
  return items_out_;
}

torch::Tensor GraphCollaborativeModel::encode_users(const torch::Tensor& users) {
  refresh();  // each batch: the parameters changed since the last one
  return users_out_.index_select(0, users);
}

torch::Tensor GraphCollaborativeModel::encode(const torch::Tensor& /*histories*/) {
  throw InternalError("a general-CF graph model encodes users by id, not histories");
}

torch::Tensor GraphCollaborativeModel::score_all(const torch::Tensor& states) {
  return at::matmul(states, items().t());
}

torch::Tensor GraphCollaborativeModel::score_candidates(const torch::Tensor& states,
                                                        const torch::Tensor& candidates) {
  auto embedded = items()
                      .index_select(0, candidates.reshape({-1}))
                      .view({candidates.size(0), candidates.size(1), -1});  // [N, C, D]
  return (embedded * states.unsqueeze(1)).sum(-1);
}

torch::Tensor GraphCollaborativeModel::item_embeddings() {
  refresh();
  return items_out_;
}

}  // namespace shiftrec
