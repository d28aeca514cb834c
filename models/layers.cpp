#include "models/layers.h"

#include <cmath>

#include <ATen/ATen.h>

namespace shiftrec {

torch::Tensor causal_padding_mask(const torch::Tensor& tokens) {
  const int64_t length = tokens.size(1);
  auto causal = at::ones({length, length}, tokens.options().dtype(at::kBool)).tril();
  auto key_valid = tokens.ne(0).unsqueeze(1);  // [B, 1, L]
  auto self = at::eye(length, tokens.options().dtype(at::kBool));
  return ((causal & key_valid) | self).unsqueeze(1);  // [B, 1, L, L]
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(int64_t d, int64_t heads, double dropout)
    : heads_(heads) {
  TORCH_CHECK(heads > 0 && d % heads == 0, "attention: d = ", d,
              " must be a positive multiple of heads = ", heads);
  q_ = register_module("q", torch::nn::Linear(d, d));
  k_ = register_module("k", torch::nn::Linear(d, d));
  v_ = register_module("v", torch::nn::Linear(d, d));
  out_ = register_module("out", torch::nn::Linear(d, d));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& query,
                                               const torch::Tensor& keys,
                                               const torch::Tensor& allowed) {
  const int64_t batch = query.size(0), length = query.size(1), d = query.size(2);
  const int64_t head_dim = d / heads_;
  auto split_heads = [&](const torch::Tensor& x) {
    return x.view({batch, length, heads_, head_dim}).transpose(1, 2);  // [B, h, L, dh]
  };
  auto q = split_heads(q_->forward(query));
  auto k = split_heads(k_->forward(keys));
  auto v = split_heads(v_->forward(keys));
  auto scores = at::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(head_dim));
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  auto weights = dropout_->forward(at::softmax(scores, -1));
  auto context = at::matmul(weights, v).transpose(1, 2).reshape({batch, length, d});
  return out_->forward(context);
}

PointWiseFeedForwardImpl::PointWiseFeedForwardImpl(int64_t d, double dropout) {
  fc1_ = register_module("fc1", torch::nn::Linear(d, d));
  fc2_ = register_module("fc2", torch::nn::Linear(d, d));
  dropout1_ = register_module("dropout1", torch::nn::Dropout(dropout));
  dropout2_ = register_module("dropout2", torch::nn::Dropout(dropout));
}

torch::Tensor PointWiseFeedForwardImpl::forward(const torch::Tensor& x) {
  auto h = dropout1_->forward(at::relu(fc1_->forward(x)));
  return x + dropout2_->forward(fc2_->forward(h));
}

TransformerBlockImpl::TransformerBlockImpl(int64_t d, int64_t heads, double dropout) {
  attention_norm_ = register_module(
      "attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-8)));
  attention_ = register_module("attention", CausalSelfAttention(d, heads, dropout));
  feed_forward_norm_ = register_module(
      "feed_forward_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-8)));
  feed_forward_ = register_module("feed_forward", PointWiseFeedForward(d, dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed) {
  auto q = attention_norm_->forward(x);
  auto h = q + attention_->forward(q, x, allowed);
  return feed_forward_->forward(feed_forward_norm_->forward(h));
}

}  // namespace shiftrec
