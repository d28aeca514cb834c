// Neighbour sampling for graphs too large for full propagation (GraphSAGE / PinSage style
// mini-batches over the bipartite graph).
//
// From the seed nodes, hop by hop, each node of hop l draws fanouts[l] of its neighbours
// uniformly without replacement (all of them when its degree is smaller). The result is the
// sampled subgraph's propagation matrix: row i holds i's sampled neighbours j with weight
//   1/sqrt(d_i d_j) * d_i / s_i    (d: full-graph degrees, s_i: neighbours drawn for i)
// — the full normalised adjacency's row, rescaled so its expectation is unchanged. With
// every fanout >= the largest degree, K = fanouts.size() propagation steps on the subgraph
// give the seeds exactly their full-graph embeddings (tested).
//
// The subgraph's nodes are numbered in hop order (the seeds, then the nodes first reached at
// hop 1, ...), so "every node within h hops" is a prefix of the rows, and a row of a node at
// hop h < K only has columns within h + 1 hops. A propagation that needs layer k only where
// layer k + 1 reads it can therefore multiply by a row prefix of the matrix (hop_block).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/csr_matrix.h"

namespace shiftrec {

struct BipartiteGraph;

struct SampledSubgraph {
  std::vector<int32_t> nodes;  // global node ids in hop order; the seeds first, in their order
  // [nodes.size(), nodes.size()] on the CPU; each row's columns ascending (as coalescing a COO
  // tensor would leave them); rows of the last hop's nodes are empty
  CsrMatrix adjacency;
  // within_hops[h]: how many nodes lie within h hops of the seeds (nodes[0, within_hops[h]));
  // K + 1 entries, within_hops[K] == nodes.size()
  std::vector<int64_t> within_hops;
};

SampledSubgraph sample_subgraph(const BipartiteGraph& graph, const std::vector<int32_t>& seeds,
                                const std::vector<int64_t>& fanouts, uint64_t seed);

// The rows of the nodes within `hops` hops, over the columns of the nodes within hops + 1
// (hops < K): [within_hops[hops], within_hops[min(hops + 1, K)]], sharing the subgraph's
// arrays.
CsrMatrix hop_block(const SampledSubgraph& subgraph, int64_t hops);

}  // namespace shiftrec
