#include "models/layers.h"

#include <cmath>

#include <ATen/ATen.h>

#include "core/thread_generator.h"
#include "models/attention_kernel.h"

namespace shiftrec {
namespace {

// Longest window computed with broadcast products instead of batched matmul on the CPU.
constexpr int64_t kBroadcastAttentionMaxLength = 8;

bool& fused_attention_on() {
  static bool on = true;
  return on;
}

}  // namespace

void use_fused_attention(bool on) { fused_attention_on() = on; }

DropoutImpl::DropoutImpl(double p) : p_(p) {
  TORCH_CHECK(p >= 0.0 && p < 1.0, "dropout: p = ", p, ", expected 0 <= p < 1");
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& x) {
  if (!is_training() || p_ == 0.0) return x;
  if (x.is_cuda()) return at::dropout(x, p_, /*train=*/true);
  return x * keep_mask(x.sizes(), x.options());
}

torch::Tensor DropoutImpl::keep_mask(at::IntArrayRef sizes, const at::TensorOptions& options) {
  if (!is_training() || p_ == 0.0) return torch::Tensor();
  return thread_rand(sizes, options).ge_(p_).mul_(1.0 / (1.0 - p_));
}

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
  dropout_ = register_module("dropout", Dropout(dropout));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& query,
                                               const torch::Tensor& keys,
                                               const torch::Tensor& allowed) {
  const int64_t batch = query.size(0), length = query.size(1), d = query.size(2);
  const int64_t head_dim = d / heads_;
  auto split_heads = [&](const torch::Tensor& x) {
    return x.view({batch, length, heads_, head_dim}).transpose(1, 2);  // [B, h, L, dh]
  };
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  auto q_all = q_->forward(query), k_all = k_->forward(keys), v_all = v_->forward(keys);
  if (fused_attention_on() && query.device().is_cpu()) {
    // Under bf16 autocast (train/mixed_precision.h) the projections come out in bf16; the
    // fused kernel takes them in float32 (the scores and softmax are float32 under autocast
    // anyway).
    const auto in_float = [](const torch::Tensor& t) {
      return t.scalar_type() == at::kBFloat16 ? t.to(at::kFloat) : t;
    };
    q_all = in_float(q_all);
    k_all = in_float(k_all);
    v_all = in_float(v_all);
  }
  if (fused_attention_on() && fused_attention_supports(q_all) && fused_attention_supports(k_all) &&
      fused_attention_supports(v_all)) {
    // One pass per (sequence, head) instead of ~12 operators forward and ~15 backward; the
    // dropout mask is drawn as the unfused path draws it (same random stream).
    auto keep = dropout_->keep_mask({batch, heads_, length, length}, query.options());
    return out_->forward(fused_attention(q_all, k_all, v_all, allowed, keep, heads_, scale));
  }
  auto q = split_heads(q_all);
  auto k = split_heads(k_all);
  auto v = split_heads(v_all);
  // For short windows, broadcast products beat at::matmul, whose CPU batched-GEMM path makes
  // one BLAS call per [L, L] matrix (bench/README.md: about 0.8 s of a 2.8 s Beauty epoch).
  const bool short_window = length <= kBroadcastAttentionMaxLength && !query.is_cuda();
  auto scores = short_window ? (q.unsqueeze(-2) * k.unsqueeze(-3)).sum(-1)  // [B, h, L, L]
                             : at::matmul(q, k.transpose(-2, -1));
  scores = scores / std::sqrt(static_cast<double>(head_dim));
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  auto weights = dropout_->forward(at::softmax(scores, -1));
  auto context = short_window ? (weights.unsqueeze(-1) * v.unsqueeze(-3)).sum(-2)  // [B, h, L, dh]
                              : at::matmul(weights, v);
  context = context.transpose(1, 2).reshape({batch, length, d});
  return out_->forward(context);
}

PointWiseFeedForwardImpl::PointWiseFeedForwardImpl(int64_t d, double dropout) {
  fc1_ = register_module("fc1", torch::nn::Linear(d, d));
  fc2_ = register_module("fc2", torch::nn::Linear(d, d));
  dropout1_ = register_module("dropout1", Dropout(dropout));
  dropout2_ = register_module("dropout2", Dropout(dropout));
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

BertBlockImpl::BertBlockImpl(int64_t d, int64_t heads, int64_t feed_forward, double dropout) {
  attention_ = register_module("attention", CausalSelfAttention(d, heads, dropout));
  attention_dropout_ = register_module("attention_dropout", Dropout(dropout));
  attention_norm_ = register_module(
      "attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-12)));
  fc1_ = register_module("fc1", torch::nn::Linear(d, feed_forward));
  fc2_ = register_module("fc2", torch::nn::Linear(feed_forward, d));
  feed_forward_dropout_ = register_module("feed_forward_dropout", Dropout(dropout));
  feed_forward_norm_ = register_module(
      "feed_forward_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-12)));
}

torch::Tensor BertBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed) {
  auto h =
      attention_norm_->forward(x + attention_dropout_->forward(attention_->forward(x, x, allowed)));
  auto inner = at::gelu(fc1_->forward(h));  // the exact (erf) GELU, as Hugging Face's "gelu"
  return feed_forward_norm_->forward(h + feed_forward_dropout_->forward(fc2_->forward(inner)));
}

}  // namespace shiftrec
