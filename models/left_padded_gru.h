// A GRU over left-padded rows that never reads the padding (its hidden state would then
// depend on the batch's width): each row is shifted to start at column 0, run as a packed
// sequence, and shifted back, so output column t still summarises the row's columns <= t.
// GRU4Rec's encoder and the shift head's recurrent detector share it.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/modules/rnn.h>

namespace shiftrec {

// inputs [B, L, F] (column t = the features of histories' column t), histories [B, L] tokens
// (0 = padding, left-padded), gru batch-first with F inputs -> [B, L, hidden], zero on
// padding columns. A row without tokens runs one step over its (padding) column 0.
at::Tensor left_padded_gru(torch::nn::GRU& gru, const at::Tensor& inputs,
                           const at::Tensor& histories);

}  // namespace shiftrec
