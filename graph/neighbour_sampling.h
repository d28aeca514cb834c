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
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace shiftrec {

struct BipartiteGraph;

struct SampledSubgraph {
  std::vector<int32_t> nodes;  // global node ids; the seeds first, in their order
  at::Tensor adjacency;        // sparse COO float [nodes.size(), nodes.size()] on the device
};

SampledSubgraph sample_subgraph(const BipartiteGraph& graph, const std::vector<int32_t>& seeds,
                                const std::vector<int64_t>& fanouts, uint64_t seed,
                                c10::Device device);

}  // namespace shiftrec
