// Graph item encoders: the ID embeddings propagated over a graph counted from the training
// split, K layers, differentiable end to end.
//   lightgcn  LightGCN (He et al., SIGIR 2020): E_k = A E_{k-1}, layer mean (no parameters)
//   ngcf      NGCF (Wang et al., SIGIR 2019): models/ngcf_layers.h; its concatenated layers
//             are projected back to d when a sequence encoder reads the table, and kept
//             whole ([N, d (K + 1)]) for general CF, as in the paper
// over `graph`:
//   bipartite   the user–item graph, symmetric-normalised; users join as nodes with ID
//               embeddings of their own (and general CF reads their propagated rows)
//   transition  item -> next item within `transition_window` positions in the training
//               sequences, row-normalised (GC-SAN style)
// With layers = 0 (and no user states asked of it) the table is the ID table itself.
//
// Neighbour-sampled training (`sampled_fanouts = [f1, ..., fK]`, graph/neighbour_sampling.h),
// for graphs too large to propagate whole at every step: in training a batch's users are
// propagated over a subgraph sampled around them, and the items a loss scores
// (candidate_rows: positives and negatives) over one sampled around those items; each node's
// sampled propagation has the full one's expectation for the first K steps and equals it when
// every fanout covers the largest degree (tested). Evaluation always propagates the whole
// graph. `embedding_l2`: the LightGCN paper's L2 on each training batch's user and scored item
// ID embeddings, over the batch size.
// `sparse_gradients` (with sampling): the ID tables' gradients hold only the rows a batch read
// (sparse COO), and the optimizer steps only those rows (train/fused_adam.h: lazy Adam, as
// torch.optim.SparseAdam) — so a step's cost follows the subgraph, not the tables, and an
// epoch grows linearly with the data instead of with (batches x table rows).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "models/item_encoder.h"
#include "models/ngcf_layers.h"
#include "models/propagation.h"
#include "models/sparse_matrix.h"

namespace shiftrec {

struct BipartiteGraph;

struct GraphEncoderOptions {
  std::string kind = "lightgcn";  // or "ngcf"
  std::string graph = "bipartite";
  int64_t layers = 2;
  int64_t transition_window = 1;
  double message_dropout = 0.1;          // ngcf
  std::vector<int64_t> sampled_fanouts;  // empty = whole-graph training
  double embedding_l2 = 0.0;
  bool sparse_gradients = false;  // with sampled_fanouts: row-sparse table gradients
};

// Which keys a section spells the options with: a composition's [model.lightgcn] has them
// all; the presets keep the names they always had (`graph_layers` in the hybrids, no
// `graph` choice in general CF).
struct GraphEncoderKeys {
  std::string layers = "layers";
  std::string kind;      // key of the lightgcn / ngcf choice ("" = fixed by the caller)
  bool graph = true;     // `graph` and `transition_window` are options
  bool sampling = true;  // `sampled_fanouts`, `sparse_gradients`, `embedding_l2` are options
};
GraphEncoderOptions read_graph_encoder_options(ConfigSection& section, GraphEncoderOptions defaults,
                                               const GraphEncoderKeys& keys);

class GraphItemEncoder : public ItemEncoder {
 public:
  GraphItemEncoder(const GraphEncoderOptions& options, const ItemEncoderContext& context);

  bool places_users() const override { return user_embedding_ && user_states_; }
  at::Tensor user_rows(const at::Tensor& users) override;       // [B] -> [B, D]
  at::Tensor candidate_rows(const at::Tensor& items) override;  // [...] -> [..., D]
  void fit(const Split& split) override;
  at::Tensor penalty() override;
  // Propagates the whole graph now: the items' rows [n_items, D] (the users' are kept for
  // last_users()).
  at::Tensor propagate_items();
  // The users' rows [n_users, D] of the last propagation.
  const at::Tensor& last_users() const;

 protected:
  at::Tensor compute() override;
  void forget_partial() override { prefix_ = LightPrefix{}; }

 private:
  // LightGCN in training on the CPU: a batch's user and candidate rows come from the
  // propagation prefix plus their own last layer (models/propagation.h), not the whole table.
  bool batch_rows() const;
  const LightPrefix& prefix();  // of this batch, computed at first use
  // Node ids [M] -> their propagated rows [M, D] through the prefix.
  at::Tensor finished_rows(const at::Tensor& nodes);
  at::Tensor all_nodes();  // the ID rows propagation starts from: [users +] items
  at::Tensor propagate(const SparseMatrix& adjacency, const at::Tensor& nodes);
  bool sampling() const { return is_training() && !options_.sampled_fanouts.empty(); }
  // Global node ids (users first, then items) -> their sampled propagation [seeds, D].
  at::Tensor propagate_around(const std::vector<int32_t>& seeds);
  // weight's rows [N] -> [N, D]; with sparse_gradients weight's gradient keeps only them.
  at::Tensor read_rows(const at::Tensor& weight, const at::Tensor& rows) const;
  // Node ids [N] (any shape flattened, repeats allowed) -> [N, D] through propagate_around.
  at::Tensor sampled_nodes(const at::Tensor& nodes);

  GraphEncoderOptions options_;
  int64_t n_users_;
  bool user_states_;
  torch::nn::Embedding user_embedding_{nullptr};  // [n_users, d], bipartite graph only
  NgcfLayers ngcf_{nullptr};
  torch::nn::Linear projection_{nullptr};        // NGCF's layers back to d
  SparseMatrix adjacency_;                       // normalised; data, not a parameter
  LightPrefix prefix_;                           // of this training batch (batch_rows())
  std::shared_ptr<const BipartiteGraph> graph_;  // kept for sampling
  at::Tensor users_out_;                         // [n_users, D] of the last propagation
  at::Tensor penalty_users_;                     // users read in training, for the penalty
  std::vector<at::Tensor> penalty_items_;        // item ids scored in training
};

}  // namespace shiftrec
