// Full-softmax cross-entropy whose memory is bounded by a chunk of positions, not by
// positions × items (SASRec+ on catalogues of 50 k+ items).
//
// loss = mean over rows n of  logsumexp_i(s_n · e_i) − s_n · e_{target_n}
// for states s [N, d] and the item table e [I, d]. Each chunk of rows is done in one pass:
// its logits [chunk, I], one exp over them (shifted by the row maximum), the loss, and — when
// the inputs require grad — the softmax gradient
//   d loss / d s_n = (softmax_n − onehot_n) e / N,   d loss / d e = Σ_n (softmax_n − onehot_n)ᵀ s_n / N
// accumulated right away; backward scales the stored [N, d] and [I, d] by the incoming
// gradient. Three GEMMs of [N, d] × [d, I], as the plain implementation, with [chunk, I] the
// largest temporary instead of [N, I] logits and their gradient. Equal to
// at::cross_entropy_loss(s eᵀ, target) up to float rounding (tested).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// states [N, d] float (bf16 states are taken as float32), table [I, d] float (both may require
// grad), targets [N] int64 item ids in [0, I); chunk >= 1 rows per step. Returns the scalar
// mean loss, differentiable in states and table. Under bf16 autocast (train/mixed_precision.h)
// the three products run in bf16 and the softmax in float32.
at::Tensor chunked_softmax_cross_entropy(const at::Tensor& states, const at::Tensor& table,
                                         const at::Tensor& targets, int64_t chunk);

// On the CPU each chunk's float32 softmax runs row by row in the vectorised row kernels
// (core/row_kernels.h); elsewhere (a GPU, another float type) with LibTorch's operators. For
// tests: `true` takes the operators on the CPU too, `false` restores the kernels.
void use_operator_softmax_rows(bool on);

}  // namespace shiftrec
