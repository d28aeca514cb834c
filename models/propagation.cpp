#include "models/propagation.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace shiftrec {

LightPrefix light_prefix(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                         int64_t layers) {
  SHIFTREC_ASSERT(layers >= 1, "a LightGCN prefix needs at least one layer");
  LightPrefix prefix{layers, embeddings, embeddings};
  for (int64_t k = 0; k + 1 < layers; ++k) {
    prefix.before_last = adjacency.times(prefix.before_last);
    prefix.sum = prefix.sum + prefix.before_last;
  }
  return prefix;
}

at::Tensor light_finish(const SparseMatrix& adjacency, const LightPrefix& prefix) {
  const at::Tensor last = adjacency.times(prefix.before_last);
  return (prefix.sum + last) / static_cast<double>(prefix.layers + 1);
}

at::Tensor light_finish_rows(const SparseMatrix& adjacency, const LightPrefix& prefix,
                             const at::Tensor& rows) {
  const at::Tensor last = adjacency.rows_times(rows, prefix.before_last);
  return (prefix.sum.index_select(0, rows) + last) / static_cast<double>(prefix.layers + 1);
}

at::Tensor light_propagate(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                           int64_t layers) {
  SHIFTREC_ASSERT(layers >= 0, "negative number of layers");
  if (layers == 0) return embeddings;
  return light_finish(adjacency, light_prefix(adjacency, embeddings, layers));
}

}  // namespace shiftrec
