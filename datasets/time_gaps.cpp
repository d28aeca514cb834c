#include "datasets/time_gaps.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>

#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/split.h"

namespace shiftrec {

int64_t gap_bucket(int64_t gap) {
  const double octaves = std::log2(1.0 + static_cast<double>(std::max<int64_t>(gap, 0)));
  return 1 + std::min<int64_t>(kGapBuckets - 2, static_cast<int64_t>(std::floor(2.0 * octaves)));
}

at::Tensor last_gap_buckets(const at::Tensor& gaps) {
  return gaps.defined() ? gaps.select(1, -1) : gaps;
}

at::Tensor pack_gap_buckets(const std::vector<int64_t>& times, const std::vector<int64_t>& begin,
                            const std::vector<int64_t>& length, const std::vector<int64_t>& end,
                            int64_t max_length) {
  SHIFTREC_ASSERT(begin.size() == length.size() && begin.size() == end.size(), "gap rows disagree");
  for (size_t r = 0; r < begin.size(); ++r) {
    SHIFTREC_ASSERT(begin[r] + length[r] <= end[r] && end[r] <= static_cast<int64_t>(times.size()),
                    "gap row outside its sequence");
  }
  return pack_left_padded(begin, length, max_length, [&](int64_t r, int64_t i) -> int64_t {
    return i + 1 < end[r] ? gap_bucket(times[i + 1] - times[i]) : 0;
  });
}

at::Tensor split_gap_buckets(const Split& split, const std::vector<int64_t>& begin,
                             const std::vector<int64_t>& length, int64_t max_length) {
  if (split.times.empty()) return {};
  std::vector<int64_t> end(begin.size());
  for (size_t r = 0; r < begin.size(); ++r) {
    const auto next = std::upper_bound(split.offsets.begin(), split.offsets.end(), begin[r]);
    end[r] = next == split.offsets.end() ? static_cast<int64_t>(split.times.size()) : *next;
  }
  return pack_gap_buckets(split.times, begin, length, end, max_length);
}

}  // namespace shiftrec
