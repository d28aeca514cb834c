#include "models/fusion_item_encoder.h"

#include <ATen/ATen.h>

#include "core/config.h"

namespace shiftrec {

FusionItemEncoder::FusionItemEncoder(const GraphEncoderOptions& graph, const ItemEncoderContext& c)
    : ItemEncoder(c.ids, c.n_items) {
  // Registered before the gate, so the graph's parameters draw first (as they always did).
  graph_ = register_module("graph", std::make_shared<GraphItemEncoder>(graph, c));
  gate_ = register_module("fusion_gate", torch::nn::Linear(2 * ids()->dim(), 1));
}

void FusionItemEncoder::fit(const Split& split) {
  ItemEncoder::fit(split);
  graph_->fit(split);
}

at::Tensor FusionItemEncoder::compute() {
  const auto& weight = ids()->weight();  // [n_items + 1 + extra, d]
  auto id_rows = ids()->items();
  auto graph = graph_->propagate_items();  // the IDs themselves with no layers
  auto g = at::sigmoid(gate_->forward(at::cat({id_rows, graph}, 1)));  // [n, 1]
  std::vector<at::Tensor> rows = {weight.narrow(0, 0, 1), g * id_rows + (1 - g) * graph};
  if (ids()->extra_tokens() > 0) {
    rows.push_back(weight.narrow(0, n_items() + 1, ids()->extra_tokens()));
  }
  return at::cat(rows, 0);
}

at::Tensor FusionItemEncoder::user_rows(const at::Tensor& users) {
  table();  // the graph's users come from the same propagation
  return graph_->last_users().index_select(0, users);
}

SHIFTREC_REGISTER_ITEM_ENCODER(
    "fusion", "a per-item gate between the ID embeddings and their graph propagation", true,
    [](ConfigSection s, const ItemEncoderContext& c) {
      GraphEncoderKeys keys;
      keys.kind = "encoder";
      keys.sampling = false;
      const GraphEncoderOptions o = read_graph_encoder_options(s, GraphEncoderOptions{}, keys);
      return std::make_shared<FusionItemEncoder>(o, c);
    });

}  // namespace shiftrec
