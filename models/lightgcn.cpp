// LightGCN (He et al., SIGIR 2020): user and item ID embeddings propagated over the
// symmetric-normalised training bipartite graph, K layers, layer mean; a user's score for an
// item is the dot product of their propagated embeddings. A general-CF model (graph_cf.h):
// trains on (user, item) pairs — with the BPR loss in the paper — and scores all items.
//
//   [model]
//   name = "lightgcn"
//   d = 64
//   layers = 3
//   history_window = 50   # the window of shift labels (LightGCN reads no sequence)
//   sampled_fanouts = []  # e.g. [10, 10, 10]: neighbour-sampled training (graph_cf.h)
//   embedding_l2 = 0.0    # the paper's 1e-4: L2 on the batch's ID embeddings (graph_cf.h)
#include <torch/nn/init.h>

#include "core/config.h"
#include "models/graph_cf.h"
#include "models/propagation.h"

namespace shiftrec {
namespace {

class LightGCN : public GraphCollaborativeModel {
 public:
  LightGCN(int64_t n_users, int64_t n_items, int64_t d, int64_t layers, int64_t window)
      : GraphCollaborativeModel(n_users, n_items, d, window), layers_(layers) {
    torch::NoGradGuard no_grad;
    torch::nn::init::normal_(user_embedding_->weight, 0.0, 0.1);
    torch::nn::init::normal_(item_embedding_->weight, 0.0, 0.1);
  }

 protected:
  torch::Tensor propagate(const SparseMatrix& adjacency, const torch::Tensor& nodes) override {
    return light_propagate(adjacency, nodes, layers_);
  }

 private:
  int64_t layers_;
};

std::shared_ptr<Recommender> make_lightgcn(ConfigSection s, const ModelContext& context) {
  const int64_t d = s.get_int("d", 64, 1, 1 << 16, "embedding size");
  const int64_t layers = s.get_int("layers", 3, 0, 16, "propagation layers K");
  const int64_t window = s.get_int("history_window", 50, 1, 1 << 16,
                                   "history length standing in for a max length (shift labels)");
  auto model = std::make_shared<LightGCN>(context.n_users, context.n_items, d, layers, window);
  read_graph_cf_options(s, *model);
  return model;
}

}  // namespace

SHIFTREC_REGISTER_MODEL("lightgcn",
                        "LightGCN (He et al. 2020): ID embeddings propagated over the training "
                        "bipartite graph, layer mean (general CF, BPR)",
                        make_lightgcn);

}  // namespace shiftrec
