#include "graph/neighbour_sampling.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/seed.h"
#include "graph/bipartite_graph.h"

namespace shiftrec {
namespace {

// Up to this many draws a node's neighbours are shuffled in place (swaps kept aside).
constexpr int64_t kInPlaceShuffleMax = 64;

}  // namespace

SampledSubgraph sample_subgraph(const BipartiteGraph& graph, const std::vector<int32_t>& seeds,
                                const std::vector<int64_t>& fanouts, uint64_t seed,
                                c10::Device device) {
  SampledSubgraph out;
  // global node -> row, -1 = not in the subgraph yet (a dense array: a hash map was 7% of a
  // sampled LightGCN step at 1 M users)
  std::vector<int32_t> local(graph.n_nodes(), -1);
  const auto add = [&](int32_t node) {
    if (local[node] < 0) {
      local[node] = static_cast<int32_t>(out.nodes.size());
      out.nodes.push_back(node);
    }
    return static_cast<int64_t>(local[node]);
  };
  for (int32_t s : seeds) {
    SHIFTREC_ASSERT(s >= 0 && s < graph.n_nodes(), "seed outside the graph");
    add(s);
  }
  Rng rng(derive_seed(seed, "graph.neighbour_sampling"));
  std::vector<int64_t> rows, columns;
  std::vector<float> values;
  std::vector<int32_t> frontier(out.nodes.begin(), out.nodes.end()), next;
  std::vector<bool> expanded_flag;  // by local row: neighbours already drawn
  // A partial Fisher-Yates shuffle of a node's neighbour list without copying the list: the
  // positions it swapped hold their new entries here (at most 2 x fanout of them).
  std::vector<std::pair<int64_t, int32_t>> swapped;
  const auto entry = [&](const int32_t* list, int64_t position) {
    for (const auto& [at, node] : swapped) {
      if (at == position) return node;
    }
    return list[position];
  };
  const auto set_entry = [&](int64_t position, int32_t node) {
    for (auto& [at, held] : swapped) {
      if (at == position) {
        held = node;
        return;
      }
    }
    swapped.emplace_back(position, node);
  };
  std::vector<int32_t> drawn;
  for (int64_t fanout : fanouts) {
    SHIFTREC_ASSERT(fanout >= 1, "fanouts must be positive");
    next.clear();
    for (int32_t node : frontier) {
      const int64_t row = local[node];
      if (static_cast<int64_t>(expanded_flag.size()) <= row) expanded_flag.resize(row + 1, false);
      if (expanded_flag[row]) continue;
      expanded_flag[row] = true;
      const int64_t degree = graph.degree(node);
      if (degree == 0) continue;
      const int32_t* list = graph.neighbours.data() + graph.offsets[node];
      const int64_t take = std::min(fanout, degree);
      swapped.clear();
      drawn.clear();
      // Large fanouts shuffle a copy (the swaps kept aside are searched linearly); either way
      // the same draws.
      const bool in_place = take <= kInPlaceShuffleMax;
      if (!in_place) drawn.assign(list, list + degree);
      for (int64_t i = 0; i < take; ++i) {
        const auto j =
            i + static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(degree - i)));
        if (!in_place) {
          std::swap(drawn[i], drawn[j]);
          continue;
        }
        const int32_t at_i = entry(list, i), at_j = entry(list, j);
        set_entry(i, at_j);
        set_entry(j, at_i);
        drawn.push_back(at_j);
      }
      drawn.resize(take);
      const double scale = static_cast<double>(degree) / static_cast<double>(take);
      for (int32_t other : drawn) {
        const bool fresh = local[other] < 0;
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
