#include "models/graph_item_encoder.h"

#include <algorithm>
#include <unordered_map>

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "graph/bipartite_graph.h"
#include "graph/item_transitions.h"
#include "graph/neighbour_sampling.h"
#include "models/propagation.h"

namespace shiftrec {

GraphEncoderOptions read_graph_encoder_options(ConfigSection& s, GraphEncoderOptions o,
                                               const GraphEncoderKeys& keys) {
  if (keys.graph) {
    o.graph = s.get_string("graph", o.graph, "bipartite (user-item) or transition (item-item)",
                           {"bipartite", "transition"});
  }
  o.layers = s.get_int(keys.layers, o.layers, 0, 16, "propagation layers; 0 = none");
  if (!keys.kind.empty()) {
    o.kind = s.get_string(keys.kind, o.kind,
                          "lightgcn (layer mean) or ngcf (NGCF layers, projected to d)",
                          {"lightgcn", "ngcf"});
  }
  if (o.kind == "ngcf") {
    o.message_dropout = s.get_double("message_dropout", o.message_dropout, 0.0, 0.99,
                                     "NGCF: dropout on each layer's messages");
  }
  if (keys.graph) {
    o.transition_window = s.get_int("transition_window", o.transition_window, 1, 1 << 10,
                                    "transition graph: positions a next item may be away");
  }
  if (keys.sampling) {
    o.sampled_fanouts = s.get_int_list(
        "sampled_fanouts", o.sampled_fanouts, 1, int64_t{1} << 30,
        "neighbour-sampled training: neighbours drawn per node at each hop (empty = whole "
        "graph)");
    o.embedding_l2 = s.get_double(
        "embedding_l2", o.embedding_l2, 0.0, 1e3,
        "L2 on each training batch's user and scored item ID embeddings, over the batch size "
        "(LightGCN paper 1e-4)");
    o.sparse_gradients = s.get_bool(
        "sparse_gradients", o.sparse_gradients,
        "with sampled_fanouts: the ID tables get gradients only on the rows a batch read, and "
        "Adam steps only those rows (lazy Adam): a step costs the subgraph, not the tables");
    if (!o.sampled_fanouts.empty() && o.graph != "bipartite") {
      s.fail("sampled_fanouts", "neighbour sampling needs graph = \"bipartite\"");
    }
    if (o.sparse_gradients && o.sampled_fanouts.empty()) {
      s.fail("sparse_gradients", "sparse gradients need neighbour sampling (sampled_fanouts)");
    }
  }
  return o;
}

GraphItemEncoder::GraphItemEncoder(const GraphEncoderOptions& options, const ItemEncoderContext& c)
    : ItemEncoder(c.ids, c.n_items),
      options_(options),
      n_users_(c.n_users),
      user_states_(c.user_states) {
  SHIFTREC_ASSERT(ids(), "a graph item encoder without an ID table");
  const int64_t d = ids()->dim();
  const bool bipartite = options_.graph == "bipartite";
  if (bipartite && (options_.layers > 0 || user_states_ || !options_.sampled_fanouts.empty())) {
    user_embedding_ = register_module("user_embedding", torch::nn::Embedding(n_users_, d));
    ids()->initialize_like(user_embedding_->weight);
  }
  if (options_.kind == "ngcf" && options_.layers > 0) {
    ngcf_ = register_module("ngcf", NgcfLayers(d, options_.layers, options_.message_dropout));
    if (!user_states_) {
      projection_ = register_module("ngcf_projection", torch::nn::Linear(ngcf_->output_size(), d));
      torch::NoGradGuard no_grad;
      torch::nn::init::xavier_normal_(projection_->weight);
    }
  }
}

void GraphItemEncoder::fit(const Split& split) {
  ItemEncoder::fit(split);  // a new graph: nothing computed holds
  users_out_ = at::Tensor();
  if (options_.layers == 0 && options_.sampled_fanouts.empty()) return;
  const auto device = ids()->weight().device();
  if (options_.graph == "bipartite") {
    auto graph = std::make_shared<const BipartiteGraph>(build_bipartite_graph(split));
    adjacency_ = SparseMatrix(normalized_adjacency(*graph), device);
    graph_ = options_.sampled_fanouts.empty() ? nullptr : graph;
  } else {
    adjacency_ = SparseMatrix(
        transition_matrix(build_item_transitions(split, options_.transition_window)), device);
  }
}

at::Tensor GraphItemEncoder::propagate(const SparseMatrix& adjacency, const at::Tensor& nodes) {
  if (!ngcf_) return light_propagate(adjacency, nodes, options_.layers);
  auto layers = ngcf_->forward(adjacency, nodes);
  return projection_ ? projection_->forward(layers) : layers;
}

at::Tensor GraphItemEncoder::all_nodes() {
  auto items = ids()->items();
  return user_embedding_ ? at::cat({user_embedding_->weight, items}, 0) : items;
}

bool GraphItemEncoder::batch_rows() const {
  return is_training() && !ngcf_ && options_.layers > 0 && options_.sampled_fanouts.empty() &&
         ids()->weight().device().is_cpu();
}

const LightPrefix& GraphItemEncoder::prefix() {
  SHIFTREC_ASSERT(adjacency_.defined(), "graph item encoder used before fit built its graph");
  if (!prefix_.sum.defined()) prefix_ = light_prefix(adjacency_, all_nodes(), options_.layers);
  return prefix_;
}

at::Tensor GraphItemEncoder::finished_rows(const at::Tensor& nodes) {
  return light_finish_rows(adjacency_, prefix(), nodes.reshape({-1}).to(at::kLong));
}

at::Tensor GraphItemEncoder::propagate_items() {
  SHIFTREC_ASSERT(adjacency_.defined() || options_.layers == 0,
                  "graph item encoder used before fit built its graph");
  // In training the whole table reuses the prefix a batch's rows may have started (only then:
  // an encoder inside another one — fusion — sees no new_batch() that would drop it).
  auto all = batch_rows() && prefix_.sum.defined() ? light_finish(adjacency_, prefix_)
                                                   : propagate(adjacency_, all_nodes());
  if (!user_embedding_) return all;
  users_out_ = all.narrow(0, 0, n_users_);
  return all.narrow(0, n_users_, n_items());
}

const at::Tensor& GraphItemEncoder::last_users() const {
  SHIFTREC_ASSERT(users_out_.defined(), "users asked before a propagation");
  return users_out_;
}

at::Tensor GraphItemEncoder::compute() {
  if (options_.layers == 0 && !user_embedding_) return ids()->weight();  // exactly the IDs
  auto items = propagate_items();                                        // [n_items, D]
  const auto& weight = ids()->weight();
  const bool same_width = items.size(1) == weight.size(1);
  std::vector<at::Tensor> rows = {
      same_width ? weight.narrow(0, 0, 1) : at::zeros({1, items.size(1)}, items.options()), items};
  if (ids()->extra_tokens() > 0) {
    SHIFTREC_ASSERT(same_width, "extra tokens in a table of another width");
    rows.push_back(weight.narrow(0, n_items() + 1, ids()->extra_tokens()));
  }
  return at::cat(rows, 0);
}

at::Tensor GraphItemEncoder::propagate_around(const std::vector<int32_t>& seeds) {
  SHIFTREC_ASSERT(graph_ != nullptr, "sampled propagation before fit");
  const auto device = ids()->weight().device();
  // The sampler's seed comes from torch's generator, so runs repeat under the run seed.
  const auto seed = at::randint(int64_t{1} << 62, {1}, at::kLong).item<int64_t>();
  const SampledSubgraph sub =
      sample_subgraph(*graph_, seeds, options_.sampled_fanouts, static_cast<uint64_t>(seed));
  // The subgraph's rows: its users' from the user table, its items' from the item table
  // (row item + 1), put back in the subgraph's order.
  std::vector<int64_t> user_rows, item_rows, order;
  for (int32_t node : sub.nodes) {
    if (node < n_users_) {
      user_rows.push_back(node);
    } else {
      item_rows.push_back(node - n_users_ + 1);
    }
  }
  int64_t next_user = 0, next_item = static_cast<int64_t>(user_rows.size());
  for (int32_t node : sub.nodes) order.push_back(node < n_users_ ? next_user++ : next_item++);
  const auto rows = [&](const std::vector<int64_t>& v) {
    return at::tensor(v, at::kLong).to(device);
  };
  auto read = at::cat({read_rows(user_embedding_->weight, rows(user_rows)),
                       read_rows(ids()->weight(), rows(item_rows))});
  if (!ngcf_ && device.is_cpu()) {
    return light_propagate_sampled(sub, read, options_.layers, device, order);
  }
  auto nodes = read.index_select(0, rows(order));
  if (!ngcf_) return light_propagate_sampled(sub, nodes, options_.layers, device);
  return propagate(SparseMatrix(sub.adjacency, device), nodes)
      .narrow(0, 0, static_cast<int64_t>(seeds.size()));
}

at::Tensor GraphItemEncoder::read_rows(const at::Tensor& weight, const at::Tensor& rows) const {
  if (!options_.sparse_gradients) return weight.index_select(0, rows);
  return at::embedding(weight, rows, /*padding_idx=*/-1, /*scale_grad_by_freq=*/false,
                       /*sparse=*/true);
}

at::Tensor GraphItemEncoder::sampled_nodes(const at::Tensor& nodes) {
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
  auto index = at::tensor(row, at::kLong).to(ids()->weight().device());
  return propagate_around(seeds).index_select(0, index);
}

at::Tensor GraphItemEncoder::user_rows(const at::Tensor& users) {
  SHIFTREC_ASSERT(places_users(), "user states asked of a graph encoder without users");
  if (is_training() && options_.embedding_l2 > 0.0) penalty_users_ = users;
  if (sampling()) return sampled_nodes(users);  // user ids are their node ids
  if (batch_rows() && !table_kept()) return finished_rows(users);
  table();  // one propagation per evaluation
  return users_out_.index_select(0, users);
}

at::Tensor GraphItemEncoder::candidate_rows(const at::Tensor& items) {
  if (is_training() && options_.embedding_l2 > 0.0) penalty_items_.push_back(items.reshape({-1}));
  if (batch_rows() && !table_kept() && (items.numel() == 0 || items.min().item<int64_t>() >= 0)) {
    auto shape = items.sizes().vec();
    shape.push_back(-1);
    return finished_rows(user_embedding_ ? items + n_users_ : items).view(shape);
  }
  if (!sampling()) return ItemEncoder::candidate_rows(items);
  auto flat = sampled_nodes(items + n_users_);  // item node ids
  auto shape = items.sizes().vec();
  shape.push_back(flat.size(1));
  return flat.view(shape);
}

at::Tensor GraphItemEncoder::penalty() {
  if (!penalty_users_.defined() && penalty_items_.empty()) return {};
  const auto& weight = ids()->weight();
  auto squares = at::zeros({}, weight.options());
  double batch = 1.0;
  if (penalty_users_.defined()) {
    squares = squares + read_rows(user_embedding_->weight, penalty_users_).pow(2).sum();
    batch = static_cast<double>(std::max<int64_t>(penalty_users_.numel(), 1));
  }
  for (const auto& items : penalty_items_) {
    squares = squares + read_rows(weight, items + 1).pow(2).sum();
  }
  penalty_users_ = at::Tensor();
  penalty_items_.clear();
  return squares * (options_.embedding_l2 / (2.0 * batch));
}

namespace {

std::shared_ptr<ItemEncoder> make_graph_encoder(ConfigSection s, const ItemEncoderContext& c,
                                                const std::string& kind) {
  GraphEncoderOptions defaults;
  defaults.kind = kind;
  const GraphEncoderOptions o = read_graph_encoder_options(s, defaults, GraphEncoderKeys{});
  if (c.user_states && o.graph != "bipartite") {
    s.fail("graph", "user states (sequence = \"none\") need the bipartite user-item graph");
  }
  return std::make_shared<GraphItemEncoder>(o, c);
}

}  // namespace

SHIFTREC_REGISTER_ITEM_ENCODER("lightgcn",
                               "LightGCN propagation of the ID embeddings over a training graph "
                               "(bipartite or item transitions), layer mean",
                               true, [](ConfigSection s, const ItemEncoderContext& c) {
                                 return make_graph_encoder(s, c, "lightgcn");
                               });
SHIFTREC_REGISTER_ITEM_ENCODER("ngcf",
                               "NGCF layers over a training graph (projected back to d when a "
                               "sequence encoder reads them)",
                               true, [](ConfigSection s, const ItemEncoderContext& c) {
                                 return make_graph_encoder(s, c, "ngcf");
                               });

}  // namespace shiftrec
