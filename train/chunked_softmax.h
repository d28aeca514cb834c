// Full-softmax cross-entropy whose memory is bounded by a chunk of positions, not by
// positions × items (SASRec+ on catalogues of 50 k+ items).
//
// loss = mean over rows n of  logsumexp_i(s_n · e_i) − s_n · e_{target_n}
// for states s [N, d] and the item table e [I, d]. Forward computes the logits [chunk, I] one
// chunk at a time and keeps only each row's log-sum-exp [N]; backward recomputes each chunk's
// logits and forms the softmax gradient in place:
//   d loss / d s_n = (softmax_n − onehot_n) e / N,   d loss / d e = Σ_n (softmax_n − onehot_n)ᵀ s_n / N
// so the work is four GEMMs of [N, d] × [d, I] (the plain implementation's three, plus the
// recomputed forward) and the largest temporary is [chunk, I]. Equal to
// at::cross_entropy_loss(s eᵀ, target) up to float rounding (tested).
#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// states [N, d] float, table [I, d] float (both may require grad), targets [N] int64 item ids
// in [0, I); chunk >= 1 rows per step. Returns the scalar mean loss, differentiable in states
// and table.
at::Tensor chunked_softmax_cross_entropy(const at::Tensor& states, const at::Tensor& table,
                                         const at::Tensor& targets, int64_t chunk);

}  // namespace shiftrec
