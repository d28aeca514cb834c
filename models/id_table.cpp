#include "models/id_table.h"

#include <torch/nn/init.h>
#include <torch/utils.h>

#include "core/error.h"

namespace shiftrec {

const std::vector<std::string>& IdTableImpl::init_names() {
  static const std::vector<std::string> names = {"xavier_normal", "normal", "xavier_uniform",
                                                 "bert_normal"};
  return names;
}

IdTableImpl::IdTableImpl(int64_t n_items, int64_t d, int64_t extra_tokens, std::string init)
    : n_items_(n_items), extra_tokens_(extra_tokens), init_(std::move(init)) {
  TORCH_CHECK(n_items > 0, "IdTable: n_items = ", n_items, ", expected > 0");
  TORCH_CHECK(d > 0, "IdTable: d = ", d, ", expected > 0");
  TORCH_CHECK(extra_tokens >= 0, "IdTable: extra_tokens = ", extra_tokens, ", expected >= 0");
  table_ = register_module(
      "table", torch::nn::Embedding(
                   torch::nn::EmbeddingOptions(n_items + 1 + extra_tokens, d).padding_idx(0)));
}

void IdTableImpl::initialize_like(at::Tensor weight) const {
  torch::NoGradGuard no_grad;
  if (init_ == "xavier_normal") {
    torch::nn::init::xavier_normal_(weight);
  } else if (init_ == "normal") {
    torch::nn::init::normal_(weight, 0.0, 0.1);
  } else if (init_ == "bert_normal") {
    torch::nn::init::normal_(weight, 0.0, 0.02);  // BERT's initializer_range
  } else {
    SHIFTREC_ASSERT(init_ == "xavier_uniform", "unknown ID initialisation " + init_);
    torch::nn::init::xavier_uniform_(weight);
  }
}

void IdTableImpl::initialize() {
  initialize_like(table_->weight);
  torch::NoGradGuard no_grad;
  table_->weight[0].zero_();
}

}  // namespace shiftrec
