#include "models/propagation.h"

#include <vector>

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

at::Tensor light_propagate_sampled(const SampledSubgraph& subgraph, const at::Tensor& embeddings,
                                   int64_t layers, c10::Device device,
                                   const std::vector<int64_t>& node_rows) {
  SHIFTREC_ASSERT(layers >= 0, "negative number of layers");
  const int64_t hops = static_cast<int64_t>(subgraph.within_hops.size()) - 1;
  const int64_t seeds = subgraph.within_hops.front();
  const bool gathered = !node_rows.empty();
  SHIFTREC_ASSERT(!gathered || static_cast<int64_t>(node_rows.size()) ==
                                   static_cast<int64_t>(subgraph.nodes.size()),
                  "light_propagate_sampled: one row per subgraph node");
  // Renumbered columns are not ascending within a row, which a coalesced COO tensor on a CUDA
  // device would need: node_rows is a CPU path.
  SHIFTREC_ASSERT(!gathered || device.is_cpu(),
                  "light_propagate_sampled: node_rows on the CPU only");
  // Layer k (1-based) is needed within min(layers - k, hops) hops of the seeds and reads layer
  // k - 1 within one hop more.
  const auto needed = [&](int64_t k) { return std::min(layers - k, hops); };
  at::Tensor layer = embeddings;
  if (layers > 0 && !gathered) layer = layer.narrow(0, 0, subgraph.within_hops[needed(0)]);
  std::vector<at::Tensor> at_seeds = {
      gathered
          ? embeddings.index_select(
                0, at::tensor(std::vector<int64_t>(node_rows.begin(), node_rows.begin() + seeds),
                              at::kLong)
                       .to(device))
          : layer.narrow(0, 0, seeds)};
  for (int64_t k = 1; k <= layers; ++k) {
    CsrMatrix block = hop_block(subgraph, needed(k));
    if (k == 1 && gathered) {  // read layer 0 where the caller's rows hold it
      at::Tensor columns = at::empty({block.nnz()}, at::kLong);
      const int64_t* from = block.columns.data_ptr<int64_t>();
      int64_t* to = columns.data_ptr<int64_t>();
      for (int64_t j = 0; j < block.nnz(); ++j) to[j] = node_rows[from[j]];
      block.columns = columns;
      block.cols = embeddings.size(0);
    }
    layer = SparseMatrix(block, device).times(layer);
    at_seeds.push_back(layer.narrow(0, 0, seeds));
  }
  if (layers == 0) return at_seeds.front();
  at::Tensor sum = at_seeds[0];
  for (size_t k = 1; k < at_seeds.size(); ++k) sum = sum + at_seeds[k];
  return sum / static_cast<double>(layers + 1);
}

}  // namespace shiftrec
