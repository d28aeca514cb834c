// NGCF (Wang et al., SIGIR 2019): neural graph collaborative filtering (models/ngcf_layers.h);
// the representation is the concatenation of E_0 and the L2-normalised E_1..E_K
// ([N, d (K + 1)]). A general-CF model like LightGCN (BPR, by id).
//
//   [model]
//   name = "ngcf"
//   d = 64
//   layers = 3
//   message_dropout = 0.1
//   history_window = 50
//   sampled_fanouts = []  # neighbour-sampled training (graph_cf.h)
//   embedding_l2 = 0.0    # the paper's 1e-5: L2 on the batch's ID embeddings (graph_cf.h)
#include <torch/nn/init.h>

#include "core/config.h"
#include "models/graph_cf.h"
#include "models/ngcf_layers.h"

namespace shiftrec {
namespace {

class Ngcf : public GraphCollaborativeModel {
 public:
  Ngcf(int64_t n_users, int64_t n_items, int64_t d, int64_t layers, double dropout, int64_t window)
      : GraphCollaborativeModel(n_users, n_items, d, window) {
    {
      torch::NoGradGuard no_grad;  // as in the NGCF code: Xavier-uniform embeddings too
      torch::nn::init::xavier_uniform_(user_embedding_->weight);
      torch::nn::init::xavier_uniform_(item_embedding_->weight);
    }
    layers_ = register_module("layers", NgcfLayers(d, layers, dropout));
  }

 protected:
  torch::Tensor propagate(const SparseMatrix& adjacency, const torch::Tensor& nodes) override {
    return layers_->forward(adjacency, nodes);
  }

 private:
  NgcfLayers layers_{nullptr};
};

std::shared_ptr<Recommender> make_ngcf(ConfigSection s, const ModelContext& context) {
  const int64_t d = s.get_int("d", 64, 1, 1 << 16, "embedding size");
  const int64_t layers = s.get_int("layers", 3, 0, 16, "propagation layers K");
  const double dropout = s.get_double("message_dropout", 0.1, 0.0, 0.99, "message dropout");
  const int64_t window = s.get_int("history_window", 50, 1, 1 << 16,
                                   "history length standing in for a max length (shift labels)");
  auto model = std::make_shared<Ngcf>(context.n_users, context.n_items, d, layers, dropout, window);
  read_graph_cf_options(s, *model);
  return model;
}

}  // namespace

SHIFTREC_REGISTER_MODEL("ngcf",
                        "NGCF (Wang et al. 2019): neural graph collaborative filtering with "
                        "feature transforms and interaction terms (general CF, BPR)",
                        make_ngcf);

}  // namespace shiftrec
