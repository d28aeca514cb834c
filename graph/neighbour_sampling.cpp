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
                                const std::vector<int64_t>& fanouts, uint64_t seed) {
  for (int32_t s : seeds) SHIFTREC_ASSERT(s >= 0 && s < graph.n_nodes(), "seed outside the graph");
  for (int64_t f : fanouts) SHIFTREC_ASSERT(f >= 1, "fanouts must be positive");
  SampledSubgraph out;
  // global node -> row, -1 = not in the subgraph (a dense array: a hash map was 7% of a sampled
  // LightGCN step at 1 M users). Kept between calls and reset at the end, entry by entry, so a
  // call costs its subgraph, not the graph.
  static thread_local std::vector<int32_t> local;
  if (static_cast<int64_t>(local.size()) < graph.n_nodes()) local.resize(graph.n_nodes(), -1);
  const auto add = [&](int32_t node) {
    if (local[node] < 0) {
      local[node] = static_cast<int32_t>(out.nodes.size());
      out.nodes.push_back(node);
    }
    return static_cast<int64_t>(local[node]);
  };
  for (int32_t s : seeds) add(s);
  out.within_hops.push_back(static_cast<int64_t>(out.nodes.size()));
  Rng rng(derive_seed(seed, "graph.neighbour_sampling"));
  // The matrix in CSR order from the start: a frontier holds the nodes its hop reached, each
  // once and in the order they were numbered, so rows are expanded in ascending order; each
  // row's entries are appended together, then put in column order.
  std::vector<std::pair<int64_t, int64_t>> row_sizes;  // (row, entries), rows ascending
  std::vector<std::pair<int64_t, float>> entries;      // (column, value) in CSR order
  std::vector<int32_t> frontier(out.nodes.begin(), out.nodes.end()), next;
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
  // Each hop in two passes, for the memory's sake: the graph's arrays are read at random
  // (hundreds of MB at 1 M users), so each pass fetches the entries it will read a few nodes
  // ahead. Pass 1 draws every frontier node's neighbours, pass 2 numbers them and weighs the
  // edges — in the same order as one pass would, so the same subgraph.
  struct Expansion {
    int64_t row, degree, drawn;  // `drawn` of the hop's draws, in order
  };
  std::vector<Expansion> expansions;
  std::vector<int32_t> hop_draws, drawn;
  constexpr size_t kAhead = 8;
  const int64_t* offsets = graph.offsets.data();
  const int32_t* neighbours = graph.neighbours.data();
  for (int64_t fanout : fanouts) {
    expansions.clear();
    hop_draws.clear();
    for (size_t f = 0; f < frontier.size(); ++f) {
      if (f + 2 * kAhead < frontier.size()) __builtin_prefetch(offsets + frontier[f + 2 * kAhead]);
      if (f + kAhead < frontier.size()) {
        __builtin_prefetch(neighbours + offsets[frontier[f + kAhead]]);
      }
      const int32_t node = frontier[f];
      const int64_t degree = graph.degree(node);
      if (degree == 0) continue;
      const int32_t* list = neighbours + offsets[node];
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
      hop_draws.insert(hop_draws.end(), drawn.begin(), drawn.begin() + take);
      expansions.push_back({local[node], degree, take});
    }
    next.clear();
    size_t k = 0;  // position in hop_draws
    for (const Expansion& e : expansions) {
      SHIFTREC_ASSERT(row_sizes.empty() || row_sizes.back().first < e.row,
                      "neighbour sampling: rows expanded out of order");
      const double scale = static_cast<double>(e.degree) / static_cast<double>(e.drawn);
      const auto row_start = static_cast<std::ptrdiff_t>(entries.size());
      for (int64_t i = 0; i < e.drawn; ++i, ++k) {
        if (k + kAhead < hop_draws.size()) {
          __builtin_prefetch(offsets + hop_draws[k + kAhead]);
          __builtin_prefetch(local.data() + hop_draws[k + kAhead]);
        }
        const int32_t other = hop_draws[k];
        const bool fresh = local[other] < 0;
        const int64_t column = add(other);
        if (fresh) next.push_back(other);
        entries.emplace_back(
            column,
            static_cast<float>(scale / std::sqrt(static_cast<double>(e.degree) *
                                                 static_cast<double>(graph.degree(other)))));
      }
      std::sort(entries.begin() + row_start, entries.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      row_sizes.emplace_back(e.row, e.drawn);
    }
    frontier.swap(next);
    out.within_hops.push_back(static_cast<int64_t>(out.nodes.size()));
  }
  for (int32_t node : out.nodes) local[node] = -1;
  const auto n = static_cast<int64_t>(out.nodes.size());
  const auto nnz = static_cast<int64_t>(entries.size());
  CsrMatrix& a = out.adjacency;
  a.cols = n;
  a.offsets = at::zeros({n + 1}, at::kLong);
  a.columns = at::empty({nnz}, at::kLong);
  a.values = at::empty({nnz}, at::kFloat);
  int64_t* row_offsets = a.offsets.data_ptr<int64_t>();
  for (const auto& [row, size] : row_sizes) row_offsets[row + 1] = size;
  for (int64_t r = 0; r < n; ++r) row_offsets[r + 1] += row_offsets[r];
  int64_t* columns = a.columns.data_ptr<int64_t>();
  float* values = a.values.data_ptr<float>();
  for (int64_t j = 0; j < nnz; ++j) {
    columns[j] = entries[j].first;
    values[j] = entries[j].second;
  }
  return out;
}

CsrMatrix hop_block(const SampledSubgraph& subgraph, int64_t hops) {
  const auto& within = subgraph.within_hops;
  const auto last = static_cast<int64_t>(within.size()) - 1;
  SHIFTREC_ASSERT(hops >= 0 && hops <= last, "hop_block: no such hop");
  const CsrMatrix& a = subgraph.adjacency;
  const int64_t rows = within[hops];
  const int64_t entries = a.offsets[rows].item<int64_t>();
  return CsrMatrix{a.offsets.narrow(0, 0, rows + 1), a.columns.narrow(0, 0, entries),
                   a.values.narrow(0, 0, entries), within[std::min(hops + 1, last)]};
}

}  // namespace shiftrec
