// The user–item bipartite graph of the training interactions — never a valid or test one.
//
// Nodes: users 0..n_users-1, then items n_users..n_users+n_items-1. One undirected edge per
// distinct (user, item) pair in a user's training prefix (repeats collapse into one edge of
// weight 1, as in LightGCN). Stored as a CSR over nodes, built with Boost.Graph's
// compressed_sparse_row_graph; both directions are stored.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/csr_matrix.h"

namespace shiftrec {

struct Split;

struct BipartiteGraph {
  int64_t n_users = 0;
  int64_t n_items = 0;
  std::vector<int64_t> offsets;     // [n_nodes + 1]
  std::vector<int32_t> neighbours;  // [2 * n_edges] node ids, ascending within a node

  int64_t n_nodes() const { return n_users + n_items; }
  int64_t n_edges() const { return static_cast<int64_t>(neighbours.size()) / 2; }
  int64_t degree(int64_t node) const { return offsets[node + 1] - offsets[node]; }
  int64_t item_node(int64_t item) const { return n_users + item; }
};

BipartiteGraph build_bipartite_graph(const Split& split);

// D^-1/2 A D^-1/2 [n_nodes, n_nodes] (isolated nodes keep all-zero rows; columns ascending
// within a row). The propagation matrix of LightGCN and NGCF.
CsrMatrix normalized_adjacency(const BipartiteGraph& graph);

}  // namespace shiftrec
