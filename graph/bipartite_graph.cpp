#include "graph/bipartite_graph.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <ATen/ATen.h>
#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "core/error.h"
#include "datasets/split.h"

namespace shiftrec {

BipartiteGraph build_bipartite_graph(const Split& split) {
  BipartiteGraph graph;
  graph.n_users = split.n_users;
  graph.n_items = split.n_items;
  // Both directions of every distinct training (user, item) pair, sorted by source.
  std::vector<std::pair<int64_t, int64_t>> edges;
  std::vector<int32_t> items;
  for (int64_t u = 0; u < split.n_users; ++u) {
    split.distinct_train_items(u, items);
    for (int32_t item : items) {
      edges.emplace_back(u, graph.item_node(item));
      edges.emplace_back(graph.item_node(item), u);
    }
  }
  std::sort(edges.begin(), edges.end());
  using Csr =
      boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                         boost::no_property, int64_t, int64_t>;
  const Csr csr(boost::edges_are_sorted, edges.begin(), edges.end(),
                static_cast<int64_t>(graph.n_nodes()));
  graph.offsets.assign(1, 0);
  graph.neighbours.reserve(edges.size());
  for (int64_t node = 0; node < graph.n_nodes(); ++node) {
    graph.offsets.push_back(graph.offsets.back() +
                            static_cast<int64_t>(boost::out_degree(node, csr)));
    for (auto [e, end] = boost::out_edges(node, csr); e != end; ++e) {
      graph.neighbours.push_back(static_cast<int32_t>(boost::target(*e, csr)));
    }
  }
  SHIFTREC_ASSERT(static_cast<int64_t>(graph.offsets.size()) == graph.n_nodes() + 1 &&
                      graph.offsets.back() == static_cast<int64_t>(graph.neighbours.size()),
                  "CSR does not cover the edges");
  return graph;
}

CsrMatrix normalized_adjacency(const BipartiteGraph& graph) {
  const int64_t entries = static_cast<int64_t>(graph.neighbours.size());
  CsrMatrix m;
  m.cols = graph.n_nodes();
  m.offsets = at::tensor(at::ArrayRef<int64_t>(graph.offsets), at::kLong);
  m.columns = at::empty({entries}, at::kLong);
  m.values = at::empty({entries}, at::kFloat);
  int64_t* columns = m.columns.data_ptr<int64_t>();
  float* weight = m.values.data_ptr<float>();
  for (int64_t node = 0; node < graph.n_nodes(); ++node) {
    for (int64_t k = graph.offsets[node]; k < graph.offsets[node + 1]; ++k) {
      const int64_t other = graph.neighbours[k];
      columns[k] = other;
      weight[k] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(graph.degree(node)) *
                                                     static_cast<double>(graph.degree(other))));
    }
  }
  return m;
}

}  // namespace shiftrec
