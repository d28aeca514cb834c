// Graph propagation shared by the GNN encoders and the hybrids.
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "models/sparse_matrix.h"

namespace shiftrec {

// LightGCN (He et al., SIGIR 2020): E_k = A E_{k-1}, and the layer mean
// (E_0 + E_1 + ... + E_K) / (K + 1). adjacency [N, N]; embeddings [N, d]
// -> [N, d]. With K = 0 it returns `embeddings` itself.
at::Tensor light_propagate(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                           int64_t layers);

}  // namespace shiftrec
