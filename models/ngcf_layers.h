// NGCF's propagation (Wang et al., SIGIR 2019), shared by the general-CF `ngcf` model and the
// hybrids' `encoder = "ngcf"`. Each layer
//   E_k = LeakyReLU( (A + I) E_{k-1} W1_k + (A E_{k-1} ⊙ E_{k-1}) W2_k ),  slope 0.2,
// message dropout on E_k; the output concatenates E_0 and the L2-normalised E_1..E_K.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "models/layers.h"
#include "models/sparse_matrix.h"

namespace shiftrec {

class NgcfLayersImpl : public torch::nn::Module {
 public:
  // Weights Xavier-uniform, biases as LibTorch's Linear draws them.
  NgcfLayersImpl(int64_t d, int64_t layers, double message_dropout);
  // adjacency [N, N], nodes [N, d] -> [N, d * (layers + 1)]
  torch::Tensor forward(const SparseMatrix& adjacency, const torch::Tensor& nodes);
  int64_t output_size() const { return d_ * (layers_ + 1); }

 private:
  int64_t d_, layers_;
  torch::nn::ModuleList sum_weights_{nullptr}, product_weights_{nullptr};
  Dropout dropout_{nullptr};
};
TORCH_MODULE(NgcfLayers);

}  // namespace shiftrec
