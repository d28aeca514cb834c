// Shared Transformer layers for the sequence models.
//
// CausalSelfAttention: multi-head scaled dot-product attention where position i sees keys
// j <= i that are not padding (and always itself, so padding rows stay finite).
// PointWiseFeedForward: Linear -> ReLU -> Dropout -> Linear -> Dropout, plus the residual.
// TransformerBlock: SASRec's block (Kang & McAuley 2018, reference code):
//   q = LN(x); x = q + Attention(q, x, x); x = LN(x); x = FFN(x) (residual inside).
// BertBlock: a Hugging Face BertLayer (post-norm, GELU, a wider feed-forward):
//   h = LN(x + Dropout(Attention(x, x, x))); y = LN(h + Dropout(W2 GELU(W1 h))), LN eps 1e-12.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace shiftrec {

// Dropout that draws its mask with at::rand_like: on the CPU, LibTorch 1.13's bernoulli-based
// dropout costs 4x more (5.2 vs 1.3 ms for [128, 50, 50]), the largest single cost of a
// SASRec epoch with dropout 0.5. On CUDA it defers to the fused at::dropout.
// Keeps each element with probability 1 - p and scales kept ones by 1 / (1 - p).
class DropoutImpl : public torch::nn::Module {
 public:
  explicit DropoutImpl(double p);
  torch::Tensor forward(const torch::Tensor& x);  // any shape -> same shape
  // The multiplier forward would apply to a tensor of these sizes (the same random draws: 0 or
  // 1 / (1 - p)); undefined when dropout is off (evaluation, or p = 0).
  torch::Tensor keep_mask(at::IntArrayRef sizes, const at::TensorOptions& options);

 private:
  double p_;
};
TORCH_MODULE(Dropout);

// allowed[b, i, j] = j <= i and (tokens[b, j] != 0 or i == j).
// tokens [B, L] int64 -> [B, 1, L, L] bool, broadcastable over heads.
torch::Tensor causal_padding_mask(const torch::Tensor& tokens);

// On the CPU with float tensors the attention core runs as one fused operator
// (models/attention_kernel.h); tests and benchmarks switch it off to compare with the
// operator-by-operator path (the one CUDA and other dtypes always take).
void use_fused_attention(bool on);

class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  CausalSelfAttentionImpl(int64_t d, int64_t heads, double dropout);
  // query [B, L, d], keys [B, L, d], allowed [B, 1, L, L] bool -> [B, L, d]
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& keys,
                        const torch::Tensor& allowed);

 private:
  int64_t heads_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, out_{nullptr};
  Dropout dropout_{nullptr};
};
TORCH_MODULE(CausalSelfAttention);

class PointWiseFeedForwardImpl : public torch::nn::Module {
 public:
  PointWiseFeedForwardImpl(int64_t d, double dropout);
  torch::Tensor forward(const torch::Tensor& x);  // [B, L, d] -> [B, L, d]

 private:
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  Dropout dropout1_{nullptr}, dropout2_{nullptr};
};
TORCH_MODULE(PointWiseFeedForward);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  TransformerBlockImpl(int64_t d, int64_t heads, double dropout);
  // x [B, L, d], allowed [B, 1, L, L] -> [B, L, d]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed);

 private:
  torch::nn::LayerNorm attention_norm_{nullptr}, feed_forward_norm_{nullptr};
  CausalSelfAttention attention_{nullptr};
  PointWiseFeedForward feed_forward_{nullptr};
};
TORCH_MODULE(TransformerBlock);

class BertBlockImpl : public torch::nn::Module {
 public:
  BertBlockImpl(int64_t d, int64_t heads, int64_t feed_forward, double dropout);
  // x [B, L, d], allowed [B, 1, L, L] -> [B, L, d]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed);

 private:
  CausalSelfAttention attention_{nullptr};         // attention-weight dropout and output projection
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};  // [d -> feed_forward -> d]
  torch::nn::LayerNorm attention_norm_{nullptr}, feed_forward_norm_{nullptr};
  Dropout attention_dropout_{nullptr}, feed_forward_dropout_{nullptr};
};
TORCH_MODULE(BertBlock);

}  // namespace shiftrec
