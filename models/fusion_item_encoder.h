// The `fusion` item encoder: per item, a learned gate between its ID embedding and its
// graph-propagated one (models/graph_item_encoder.h):
//   E = g * E_id + (1 - g) * E_graph,   g = sigmoid(w . [E_id, E_graph] + b)   [n_items, d]
// The propagation's options are the graph encoder's (a composition's [model.fusion] takes
// `encoder = "lightgcn" | "ngcf"` and the graph keys).
#pragma once

#include <memory>

#include <torch/nn/modules/linear.h>

#include "models/graph_item_encoder.h"

namespace shiftrec {

class FusionItemEncoder : public ItemEncoder {
 public:
  FusionItemEncoder(const GraphEncoderOptions& graph, const ItemEncoderContext& context);

  bool places_users() const override { return graph_->places_users(); }
  at::Tensor user_rows(const at::Tensor& users) override;
  void fit(const Split& split) override;
  at::Tensor penalty() override { return graph_->penalty(); }

 protected:
  at::Tensor compute() override;

 private:
  std::shared_ptr<GraphItemEncoder> graph_;
  torch::nn::Linear gate_{nullptr};  // [2d -> 1]
};

}  // namespace shiftrec
