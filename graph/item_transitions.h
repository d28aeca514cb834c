// The item transition graph: item a -> item b whenever b follows a within `window` positions
// in some user's training prefix (never a valid or test interaction), weighted by how often.
// The session graph of GC-SAN / SR-GNN style models, made global over all training
// sequences. Self-transitions (a -> a) are kept: repeats are part of the signal.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/csr_matrix.h"

namespace shiftrec {

struct Split;

struct ItemTransitionGraph {
  int64_t n_items = 0;
  std::vector<int64_t> offsets;  // [n_items + 1] out-edges of each item
  std::vector<int32_t> targets;  // ascending within an item
  std::vector<float> weights;    // transition counts

  int64_t n_edges() const { return static_cast<int64_t>(targets.size()); }
};

// window >= 1: b counts as following a when it comes 1..window positions later.
ItemTransitionGraph build_item_transitions(const Split& split, int64_t window = 1);

// Row-normalised (each item's out-weights sum to 1; items without out-edges stay zero)
// [n_items, n_items]: row a is the next-item distribution after a.
CsrMatrix transition_matrix(const ItemTransitionGraph& graph);

}  // namespace shiftrec
