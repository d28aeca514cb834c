#include "graph/neighbour_sampling.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/seed.h"
#include "graph/bipartite_graph.h"

namespace shiftrec {

SampledSubgraph sample_subgraph(const BipartiteGraph& graph, const std::vector<int32_t>& seeds,
                                const std::vector<int64_t>& fanouts, uint64_t seed,
                                c10::Device device) {
  SampledSubgraph out;
  std::unordered_map<int32_t, int64_t> local;  // global node -> row
  const auto add = [&](int32_t node) {
    auto [it, inserted] = local.emplace(node, static_cast<int64_t>(out.nodes.size()));
    if (inserted) out.nodes.push_back(node);
    return it->second;
  };
  for (int32_t s : seeds) {
    SHIFTREC_ASSERT(s >= 0 && s < graph.n_nodes(), "seed outside the graph");
    add(s);
  }
  Rng rng(derive_seed(seed, "graph.neighbour_sampling"));
  std::vector<int64_t> rows, columns;
  std::vector<float> values;
  std::vector<int32_t> frontier(out.nodes.begin(), out.nodes.end()), next, drawn;
  std::vector<bool> expanded_flag;  // by local row: neighbours already drawn
  for (int64_t fanout : fanouts) {
    SHIFTREC_ASSERT(fanout >= 1, "fanouts must be positive");
    next.clear();
    for (int32_t node : frontier) {
      const int64_t row = local.at(node);
      if (static_cast<int64_t>(expanded_flag.size()) <= row) expanded_flag.resize(row + 1, false);
      if (expanded_flag[row]) continue;
      expanded_flag[row] = true;
      const int64_t degree = graph.degree(node);
      if (degree == 0) continue;
      drawn.assign(graph.neighbours.begin() + graph.offsets[node],
                   graph.neighbours.begin() + graph.offsets[node + 1]);
      const int64_t take = std::min(fanout, degree);
      for (int64_t i = 0; i < take; ++i) {  // partial Fisher-Yates
        const auto j =
            i + static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(degree - i)));
        std::swap(drawn[i], drawn[j]);
      }
      const double scale = static_cast<double>(degree) / static_cast<double>(take);
      for (int64_t i = 0; i < take; ++i) {
        const int32_t other = drawn[i];
        const bool fresh = local.find(other) == local.end();
        const int64_t column = add(other);
        if (fresh) next.push_back(other);
        rows.push_back(row);
        columns.push_back(column);
        values.push_back(
            static_cast<float>(scale / std::sqrt(static_cast<double>(degree) *
                                                 static_cast<double>(graph.degree(other)))));
      }
    }
    frontier.swap(next);
  }
  const auto n = static_cast<int64_t>(out.nodes.size());
  auto indices = at::stack({at::tensor(rows, at::kLong), at::tensor(columns, at::kLong)});
  if (rows.empty()) indices = at::empty({2, 0}, at::kLong);
  out.adjacency =
      at::sparse_coo_tensor(indices, at::tensor(values, at::kFloat), {n, n}).coalesce().to(device);
  return out;
}

}  // namespace shiftrec
