// Self-attention for the short windows of sequential recommendation, computed on the CPU in
// one pass per (sequence, head), forward and backward written out. LibTorch's CPU path spends
// a SASRec step on operators, not arithmetic (bench/README.md, "Where the time goes"): batched
// matmuls that make one BLAS call per [L, L] matrix, the scaling, masking, softmax and dropout
// of the weights, the head transposes, and as many again backward. Here they are two calls.
//
// For each sequence b and head h (head h reads columns [h dh, (h + 1) dh) of q, k and v):
//   S[i, j] = scale · q_i · k_j where allowed[b, i, j], -inf elsewhere
//   P = softmax_j(S);  W = P ⊙ keep (dropout's kept-and-scaled mask; P when keep is undefined)
//   out_i = Σ_j W[i, j] v_j
// Backward: dv_j = Σ_i W[i, j] dout_i;  dP[i, j] = keep[i, j] · dout_i · v_j;
//   dS[i, j] = P[i, j] (dP[i, j] − Σ_j' P[i, j'] dP[i, j']);  dq_i = scale Σ_j dS[i, j] k_j;
//   dk_j = scale Σ_i dS[i, j] q_i.
// A row with no allowed key gives NaN, as a softmax over -inf does (callers always allow i = i).
#pragma once

#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// Whether fused_attention takes these projections: float32 on the CPU.
bool fused_attention_supports(const at::Tensor& q);

// q, k, v [B, L, d] float CPU; allowed [B, 1, L, L] bool (or any shape that expands to it);
// keep [B, heads, L, L] float or undefined; scale usually 1 / sqrt(d / heads)
//   -> [B, L, d], differentiable in q, k and v.
at::Tensor fused_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                           const at::Tensor& allowed, const at::Tensor& keep, int64_t heads,
                           double scale);

// The instruction set the kernels run ("baseline", "avx2", "avx512"), the widest this CPU has.
const char* attention_kernel_isa();
// For tests and benchmarks: run them with `isa` from now on; false (nothing changed) when the
// name is unknown or this CPU does not run it.
bool use_attention_kernel_isa(const std::string& isa);

}  // namespace shiftrec
