#include "graph/item_transitions.h"

#include <algorithm>
#include <tuple>

#include <ATen/ATen.h>

#include "core/error.h"
#include "datasets/split.h"

namespace shiftrec {

ItemTransitionGraph build_item_transitions(const Split& split, int64_t window) {
  SHIFTREC_ASSERT(window >= 1, "transition window must be at least 1");
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (int64_t u = 0; u < split.n_users; ++u) {
    const int32_t* items = split.items.data() + split.offsets[u];
    const int64_t length = split.train_length[u];
    for (int64_t p = 0; p < length; ++p) {
      for (int64_t q = p + 1; q < std::min(length, p + 1 + window); ++q) {
        pairs.emplace_back(items[p], items[q]);
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  ItemTransitionGraph graph;
  graph.n_items = split.n_items;
  graph.offsets.assign(split.n_items + 1, 0);
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
    graph.targets.push_back(pairs[i].second);
    graph.weights.push_back(static_cast<float>(j - i));
    ++graph.offsets[pairs[i].first + 1];
    i = j;
  }
  for (int64_t a = 0; a < split.n_items; ++a) graph.offsets[a + 1] += graph.offsets[a];
  return graph;
}

CsrMatrix transition_matrix(const ItemTransitionGraph& graph) {
  const int64_t entries = graph.n_edges();
  CsrMatrix m;
  m.cols = graph.n_items;
  m.offsets = at::tensor(at::ArrayRef<int64_t>(graph.offsets), at::kLong);
  m.columns = at::empty({entries}, at::kLong);
  m.values = at::empty({entries}, at::kFloat);
  int64_t* columns = m.columns.data_ptr<int64_t>();
  float* weight = m.values.data_ptr<float>();
  for (int64_t a = 0; a < graph.n_items; ++a) {
    float total = 0.0f;
    for (int64_t k = graph.offsets[a]; k < graph.offsets[a + 1]; ++k) total += graph.weights[k];
    for (int64_t k = graph.offsets[a]; k < graph.offsets[a + 1]; ++k) {
      columns[k] = graph.targets[k];
      weight[k] = graph.weights[k] / total;
    }
  }
  return m;
}

}  // namespace shiftrec
