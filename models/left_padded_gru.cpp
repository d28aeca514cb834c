#include "models/left_padded_gru.h"

#include <ATen/ATen.h>
#include <torch/nn/utils/rnn.h>

namespace shiftrec {

at::Tensor left_padded_gru(torch::nn::GRU& gru, const at::Tensor& inputs,
                           const at::Tensor& histories) {
  const int64_t width = histories.size(1);
  auto lengths = histories.ne(0).sum(1);  // [B]
  auto safe = lengths.clamp_min(1);       // empty rows: one padding step
  // Left-padded -> left-aligned: column j of row b reads column j + (L - len_b) (mod L).
  auto columns = at::arange(width, histories.options()).unsqueeze(0);
  auto shift = (width - safe).unsqueeze(1);
  auto forward_index = (columns + shift).remainder(width).unsqueeze(-1);
  auto aligned = inputs.gather(1, forward_index.expand({-1, -1, inputs.size(2)}));
  auto packed =
      torch::nn::utils::rnn::pack_padded_sequence(aligned, safe.to(at::kCPU), true, false);
  auto output = std::get<0>(gru->forward_with_packed_input(packed));
  auto unpacked = std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(output, true, 0.0, width));
  // Back to left-padded: column j of row b reads column j - (L - len_b) (mod L).
  auto back = (columns - shift).remainder(width).unsqueeze(-1);
  auto restored = unpacked.gather(1, back.expand({histories.size(0), width, unpacked.size(2)}));
  return restored * histories.ne(0).unsqueeze(-1).to(restored.scalar_type());
}

}  // namespace shiftrec
