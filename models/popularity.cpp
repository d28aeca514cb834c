// Popularity baseline: every user gets the same ranking, items ordered by how often they
// occur in the training prefixes. Scores are log(1 + count); no trainable parameters.
#include <ATen/ATen.h>

#include "core/config.h"
#include "datasets/split.h"
#include "models/recommender.h"

namespace shiftrec {
namespace {

class Popularity : public Recommender {
 public:
  explicit Popularity(int64_t n_items) : n_items_(n_items) {
    log_counts_ = register_buffer("log_counts", at::zeros({n_items}, at::kFloat));
  }

  void fit_statistics(const Split& split) override {
    const std::vector<int64_t> counts = split.train_item_counts();
    auto cpu = at::tensor(at::ArrayRef<int64_t>(counts), at::kLong).to(at::kFloat);
    log_counts_.copy_(at::log1p(cpu));
  }

  // No state to speak of: [B, L] -> [B, L, 1] zeros.
  torch::Tensor encode(const torch::Tensor& histories) override {
    return at::zeros({histories.size(0), histories.size(1), 1},
                     histories.options().dtype(log_counts_.scalar_type()));
  }

  torch::Tensor score_all(const torch::Tensor& states) override {
    return log_counts_.unsqueeze(0).expand({states.size(0), n_items_}).contiguous();
  }

  torch::Tensor score_candidates(const torch::Tensor& /*states*/,
                                 const torch::Tensor& items) override {
    return log_counts_.index_select(0, items.reshape({-1})).view(items.sizes());
  }

  // [n_items, 1]: the log-count is the only thing this model knows about an item.
  torch::Tensor item_embeddings() override { return log_counts_.unsqueeze(1); }

  int64_t max_length() const override { return 1; }
  int64_t n_items() const override { return n_items_; }

 private:
  int64_t n_items_;
  torch::Tensor log_counts_;  // [n_items]
};

std::shared_ptr<Recommender> make_popularity(ConfigSection /*section*/,
                                             const ModelContext& context) {
  return std::make_shared<Popularity>(context.n_items);
}

}  // namespace

SHIFTREC_REGISTER_MODEL("popularity",
                        "most popular training items first, the same list for every user",
                        make_popularity);

}  // namespace shiftrec
