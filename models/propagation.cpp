#include "models/propagation.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "graph/neighbour_sampling.h"

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

at::Tensor light_propagate_sampled(const SampledSubgraph& subgraph,
                                   const at::Tensor& subgraph_nodes, int64_t layers,
                                   c10::Device device) {
  SHIFTREC_ASSERT(layers >= 0, "negative number of layers");
  const int64_t hops = static_cast<int64_t>(subgraph.within_hops.size()) - 1;
  const int64_t seeds = subgraph.within_hops.front();
  // Layer k (1-based) is needed within min(layers - k, hops) hops of the seeds and reads layer
  // k - 1 within one hop more.
  const auto needed = [&](int64_t k) { return std::min(layers - k, hops); };
  at::Tensor layer = subgraph_nodes;
  if (layers > 0) layer = layer.narrow(0, 0, subgraph.within_hops[needed(0)]);
  std::vector<at::Tensor> at_seeds = {layer.narrow(0, 0, seeds)};
  for (int64_t k = 1; k <= layers; ++k) {
    layer = SparseMatrix(hop_block(subgraph, needed(k)), device).times(layer);
    at_seeds.push_back(layer.narrow(0, 0, seeds));
  }
  if (layers == 0) return at_seeds.front();
  at::Tensor sum = at_seeds[0];
  for (size_t k = 1; k < at_seeds.size(); ++k) sum = sum + at_seeds[k];
  return sum / static_cast<double>(layers + 1);
}

}  // namespace shiftrec
