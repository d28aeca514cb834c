#include "models/propagation.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace shiftrec {

at::Tensor light_propagate(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                           int64_t layers) {
  SHIFTREC_ASSERT(layers >= 0, "negative number of layers");
  if (layers == 0) return embeddings;
  at::Tensor layer = embeddings;
  at::Tensor sum = embeddings;
  for (int64_t k = 0; k < layers; ++k) {
    layer = adjacency.times(layer);
    sum = sum + layer;
  }
  return sum / static_cast<double>(layers + 1);
}

}  // namespace shiftrec
