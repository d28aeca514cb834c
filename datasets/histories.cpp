#include "datasets/histories.h"

#include <algorithm>

#include <ATen/ATen.h>

namespace shiftrec {

at::Tensor pack_left_padded(const std::vector<int64_t>& begin, const std::vector<int64_t>& length,
                            int64_t max_length,
                            const std::function<int64_t(int64_t row, int64_t index)>& value) {
  const int64_t rows = static_cast<int64_t>(begin.size());
  int64_t width = 1;
  for (int64_t n : length) width = std::max(width, std::min(n, max_length));
  auto out = at::zeros({rows, width}, at::kLong);
  int64_t* data = out.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = std::min(length[r], max_length);
    const int64_t start = begin[r] + length[r] - n;
    int64_t* row = data + r * width + (width - n);
    for (int64_t j = 0; j < n; ++j) row[j] = value(r, start + j);
  }
  return out;
}

at::Tensor pack_histories(const std::vector<int32_t>& items, const std::vector<int64_t>& begin,
                          const std::vector<int64_t>& length, int64_t max_length) {
  return pack_left_padded(begin, length, max_length,
                          [&items](int64_t, int64_t i) -> int64_t { return items[i] + 1; });
}

}  // namespace shiftrec
