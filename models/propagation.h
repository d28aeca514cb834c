// Graph propagation shared by the GNN encoders and the hybrids.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include <c10/core/Device.h>

#include "models/sparse_matrix.h"

namespace shiftrec {

// LightGCN (He et al., SIGIR 2020): E_k = A E_{k-1}, and the layer mean
// (E_0 + E_1 + ... + E_K) / (K + 1). adjacency [N, N]; embeddings [N, d]
// -> [N, d]. With K = 0 it returns `embeddings` itself.
at::Tensor light_propagate(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                           int64_t layers);

// LightGCN up to its last layer, for a caller that needs the result at a few rows only (a
// training batch's users and items): the last layer of those rows costs their edges, not
// the graph's — one full sparse product of K forward and one of K backward saved.
struct LightPrefix {
  int64_t layers = 0;      // K >= 1
  at::Tensor sum;          // E_0 + ... + E_{K-1} [N, d]
  at::Tensor before_last;  // E_{K-1} [N, d]
};
LightPrefix light_prefix(const SparseMatrix& adjacency, const at::Tensor& embeddings,
                         int64_t layers);
// light_propagate(...) whole [N, d], from its prefix (the same operations in the same order).
at::Tensor light_finish(const SparseMatrix& adjacency, const LightPrefix& prefix);
// light_propagate(...).index_select(0, rows): rows [M] int64 -> [M, d].
at::Tensor light_finish_rows(const SparseMatrix& adjacency, const LightPrefix& prefix,
                             const at::Tensor& rows);

struct SampledSubgraph;

// light_propagate over a sampled subgraph, at its seeds only: subgraph_nodes [n, d] are its
// nodes' embeddings in its order -> [seeds, d]. Layer k is computed only at the nodes layer
// k + 1 reads (within K - k hops: hop_block), so with fanouts f a layer costs the edges out of
// the nearer hops (at [5, 5, 5] layer 2 reads about a fifth of the edges layer 1 does,
// layer 3 a thirtieth); the seeds' rows sum the same entries in the same order as the whole
// subgraph's product. node_rows (CPU only; empty: subgraph_nodes are in the subgraph's order):
// subgraph node i's embedding is row node_rows[i] of subgraph_nodes — a caller that read its
// users and items from two tables passes them as read, and the first layer reads them there
// instead of a reordered [n, d] copy (its forward and backward were a tenth of a sampled
// batch at 1 M users).
at::Tensor light_propagate_sampled(const SampledSubgraph& subgraph,
                                   const at::Tensor& subgraph_nodes, int64_t layers,
                                   c10::Device device, const std::vector<int64_t>& node_rows = {});

}  // namespace shiftrec
