#include "models/graph_cf.h"

#include <algorithm>
#include <unordered_map>

#include <ATen/ATen.h>

#include "core/config.h"
#include "core/error.h"
#include "graph/bipartite_graph.h"
#include "graph/neighbour_sampling.h"

namespace shiftrec {

GraphCollaborativeModel::GraphCollaborativeModel(int64_t n_users, int64_t n_items, int64_t d,
                                                 int64_t window)
    : n_users_(n_users), n_items_(n_items), window_(window) {
  user_embedding_ = register_module("user_embedding", torch::nn::Embedding(n_users, d));
  item_embedding_ = register_module("item_embedding", torch::nn::Embedding(n_items, d));
}

void GraphCollaborativeModel::fit_statistics(const Split& split) {
  auto graph = std::make_shared<const BipartiteGraph>(build_bipartite_graph(split));
  adjacency_ = SparseMatrix(normalized_adjacency(*graph, user_embedding_->weight.device()));
  graph_ = fanouts_.empty() ? nullptr : graph;
  users_out_ = items_out_ = torch::Tensor();  // a new graph: nothing cached holds
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

torch::Tensor GraphCollaborativeModel::propagate_around(const std::vector<int32_t>& seeds) {
  SHIFTREC_ASSERT(graph_ != nullptr, "sampled propagation before fit_statistics");
  const auto device = user_embedding_->weight.device();
  // The sampler's seed comes from torch's generator, so runs repeat under the run seed.
  const auto seed = at::randint(int64_t{1} << 62, {1}, at::kLong).item<int64_t>();
  const SampledSubgraph sub =
      sample_subgraph(*graph_, seeds, fanouts_, static_cast<uint64_t>(seed), device);
  auto ids =
      at::tensor(std::vector<int64_t>(sub.nodes.begin(), sub.nodes.end()), at::kLong).to(device);
  auto is_user = ids.lt(n_users_).unsqueeze(1);
  auto nodes =
      at::where(is_user, user_embedding_->weight.index_select(0, ids.clamp_max(n_users_ - 1)),
                item_embedding_->weight.index_select(0, (ids - n_users_).clamp_min(0)));
  return propagate(SparseMatrix(sub.adjacency), nodes)
      .narrow(0, 0, static_cast<int64_t>(seeds.size()));
}

torch::Tensor GraphCollaborativeModel::sampled_nodes(const torch::Tensor& nodes) {
  auto flat = nodes.reshape({-1}).to(at::kCPU, at::kLong).contiguous();
  const int64_t* p = flat.data_ptr<int64_t>();
  std::vector<int32_t> seeds;
  std::vector<int64_t> row(flat.numel());
  std::unordered_map<int64_t, int64_t> position;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    auto [it, fresh] = position.emplace(p[i], static_cast<int64_t>(seeds.size()));
    if (fresh) seeds.push_back(static_cast<int32_t>(p[i]));
    row[i] = it->second;
  }
  auto index = at::tensor(row, at::kLong).to(user_embedding_->weight.device());
  return propagate_around(seeds).index_select(0, index);
}

torch::Tensor GraphCollaborativeModel::encode_users(const torch::Tensor& users) {
  if (is_training() && embedding_l2_ > 0.0) penalty_users_ = users;
  if (sampling()) return sampled_nodes(users);  // user ids are their node ids
  refresh();  // each batch: the parameters changed since the last one
  return users_out_.index_select(0, users);
}

torch::Tensor GraphCollaborativeModel::encode(const torch::Tensor& /*histories*/) {
  throw InternalError("a general-CF graph model encodes users by id, not histories");
}

torch::Tensor GraphCollaborativeModel::score_all(const torch::Tensor& states) {
  if (sampling()) refresh();  // a full-softmax loss needs every item: the whole graph
  return at::matmul(states, items().t());
}

torch::Tensor GraphCollaborativeModel::score_candidates(const torch::Tensor& states,
                                                        const torch::Tensor& candidates) {
  if (is_training() && embedding_l2_ > 0.0) penalty_items_.push_back(candidates.reshape({-1}));
  auto flat = sampling() ? sampled_nodes(candidates + n_users_)  // item node ids
                         : items().index_select(0, candidates.reshape({-1}));
  auto embedded = flat.view({candidates.size(0), candidates.size(1), -1});  // [N, C, D]
  return (embedded * states.unsqueeze(1)).sum(-1);
}

torch::Tensor GraphCollaborativeModel::batch_penalty() {
  if (!penalty_users_.defined() && penalty_items_.empty()) return {};
  auto squares = torch::zeros({}, user_embedding_->weight.options());
  double batch = 1.0;
  if (penalty_users_.defined()) {
    squares = squares + user_embedding_->weight.index_select(0, penalty_users_).pow(2).sum();
    batch = static_cast<double>(std::max<int64_t>(penalty_users_.numel(), 1));
  }
  for (const auto& items : penalty_items_) {
    squares = squares + item_embedding_->weight.index_select(0, items).pow(2).sum();
  }
  penalty_users_ = torch::Tensor();
  penalty_items_.clear();
  return squares * (embedding_l2_ / (2.0 * batch));
}

torch::Tensor GraphCollaborativeModel::item_embeddings() {
  refresh();
  return items_out_;
}

void read_graph_cf_options(ConfigSection& section, GraphCollaborativeModel& model) {
  model.set_sampled_fanouts(section.get_int_list(
      "sampled_fanouts", {}, 1, int64_t{1} << 30,
      "neighbour-sampled training: neighbours drawn per node at each hop (empty = whole graph)"));
  model.set_embedding_l2(section.get_double(
      "embedding_l2", 0.0, 0.0, 1e3,
      "L2 on each training batch's user and scored item ID embeddings, over the batch size "
      "(LightGCN paper 1e-4)"));
}

}  // namespace shiftrec
