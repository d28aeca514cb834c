#include "models/ngcf_layers.h"

#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/functional/normalization.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/linear.h>

namespace shiftrec {

NgcfLayersImpl::NgcfLayersImpl(int64_t d, int64_t layers, double message_dropout)
    : d_(d), layers_(layers) {
  sum_weights_ = register_module("sum_weights", torch::nn::ModuleList());
  product_weights_ = register_module("product_weights", torch::nn::ModuleList());
  for (int64_t k = 0; k < layers; ++k) {
    sum_weights_->push_back(torch::nn::Linear(d, d));
    product_weights_->push_back(torch::nn::Linear(d, d));
  }
  dropout_ = register_module("message_dropout", Dropout(message_dropout));
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) {
    if (p.dim() >= 2) torch::nn::init::xavier_uniform_(p);
  }
}

torch::Tensor NgcfLayersImpl::forward(const SparseMatrix& adjacency, const torch::Tensor& nodes) {
  auto layer = nodes;
  std::vector<at::Tensor> outputs{layer};
  for (size_t k = 0; k < sum_weights_->size(); ++k) {
    auto side = adjacency.times(layer);  // A E
    auto summed = sum_weights_[k]->as<torch::nn::Linear>()->forward(side + layer);
    auto product = product_weights_[k]->as<torch::nn::Linear>()->forward(side * layer);
    layer = dropout_->forward(at::leaky_relu(summed + product, 0.2));
    outputs.push_back(torch::nn::functional::normalize(
        layer, torch::nn::functional::NormalizeFuncOptions().p(2).dim(1)));
  }
  return at::cat(outputs, 1);
}

}  // namespace shiftrec
