// Packs item sequences into the padded token tensors every model reads.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>

namespace shiftrec {

// Left-padded token histories: row r holds the last min(length[r], max_length) items of
// items[begin[r] .. begin[r] + length[r]), as tokens (item + 1; 0 = padding).
// Width = the longest row after truncation (at least 1).
// -> [R, L] int64 on the CPU.
// The packing itself: row r holds value(r, i) for the last min(length[r], max_length)
// indices i of [begin[r], begin[r] + length[r]), right-aligned, 0 for padding.
// -> [R, L] int64 on the CPU, L = the longest row after truncation (at least 1).
at::Tensor pack_left_padded(const std::vector<int64_t>& begin, const std::vector<int64_t>& length,
                            int64_t max_length,
                            const std::function<int64_t(int64_t row, int64_t index)>& value);

at::Tensor pack_histories(const std::vector<int32_t>& items, const std::vector<int64_t>& begin,
                          const std::vector<int64_t>& length, int64_t max_length);

}  // namespace shiftrec
