// NGCF (Wang et al., SIGIR 2019): neural graph collaborative filtering. Each layer
//   E_k = LeakyReLU( (A + I) E_{k-1} W1_k + (A E_{k-1} ⊙ E_{k-1}) W2_k ),  slope 0.2,
// message dropout on E_k, and the representation is the concatenation of E_0 and the
// L2-normalised E_1..E_K ([N, d (K + 1)]). A general-CF model like LightGCN (BPR, by id).
//
//   [model]
//   name = "ngcf"
//   d = 64
//   layers = 3
//   message_dropout = 0.1
//   history_window = 50
#include <ATen/ATen.h>
#include <torch/nn/functional/normalization.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

#include "core/config.h"
#include "models/graph_cf.h"
#include "models/layers.h"

namespace shiftrec {
namespace {

class Ngcf : public GraphCollaborativeModel {
 public:
  Ngcf(int64_t n_users, int64_t n_items, int64_t d, int64_t layers, double dropout, int64_t window)
      : GraphCollaborativeModel(n_users, n_items, d, window) {
    sum_weights_ = register_module("sum_weights", torch::nn::ModuleList());
    product_weights_ = register_module("product_weights", torch::nn::ModuleList());
    for (int64_t k = 0; k < layers; ++k) {
      sum_weights_->push_back(torch::nn::Linear(d, d));
      product_weights_->push_back(torch::nn::Linear(d, d));
    }
    dropout_ = register_module("message_dropout", Dropout(dropout));
    torch::NoGradGuard no_grad;
    for (auto& p : parameters()) {
      if (p.dim() >= 2) torch::nn::init::xavier_uniform_(p);
    }
  }

 protected:
  torch::Tensor propagate(const torch::Tensor& adjacency, const torch::Tensor& nodes) override {
    auto layer = nodes;
    std::vector<at::Tensor> outputs{layer};
    for (size_t k = 0; k < sum_weights_->size(); ++k) {
      auto side = at::mm(adjacency, layer);  // A E
      auto summed = sum_weights_[k]->as<torch::nn::Linear>()->forward(side + layer);
      auto product = product_weights_[k]->as<torch::nn::Linear>()->forward(side * layer);
      layer = dropout_->forward(at::leaky_relu(summed + product, 0.2));
      outputs.push_back(torch::nn::functional::normalize(
          layer, torch::nn::functional::NormalizeFuncOptions().p(2).dim(1)));
    }
    return at::cat(outputs, 1);
  }

 private:
  torch::nn::ModuleList sum_weights_{nullptr}, product_weights_{nullptr};
  Dropout dropout_{nullptr};
};

std::shared_ptr<Recommender> make_ngcf(ConfigSection s, const ModelContext& context) {
  const int64_t d = s.get_int("d", 64, 1, 1 << 16, "embedding size");
  const int64_t layers = s.get_int("layers", 3, 0, 16, "propagation layers K");
  const double dropout = s.get_double("message_dropout", 0.1, 0.0, 0.99, "message dropout");
  const int64_t window = s.get_int("history_window", 50, 1, 1 << 16,
                                   "history length standing in for a max length (shift labels)");
  return std::make_shared<Ngcf>(context.n_users, context.n_items, d, layers, dropout, window);
}

}  // namespace

SHIFTREC_REGISTER_MODEL("ngcf",
                        "NGCF (Wang et al. 2019): neural graph collaborative filtering with "
                        "feature transforms and interaction terms (general CF, BPR)",
                        make_ngcf);

}  // namespace shiftrec
