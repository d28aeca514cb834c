// Time gaps as model input: how long until the interaction a state predicts.
//
// A recommendation is asked for at a known time (the user is here now), so a model may read
// the gap between the last interaction it sees and the request — the one signal in a
// sequence that says *when* an interest is likely to move (on the planted-shift data, a
// regime change comes with a longer gap). Column t of a history gets the gap from its own
// interaction to the next one in the user's sequence: in training, the target's time; in
// evaluation, the (first) target's time, which is the request time. Earlier columns thereby
// carry the past gaps too, so one input covers both.
//
// Gaps are bucketed on a log scale with two buckets per doubling, so the same table serves
// seconds, days or positions:
//   bucket(gap) = 1 + min(kGapBuckets - 2, floor(2 * log2(1 + max(gap, 0))))
// Bucket 0 means padding or unknown (no next interaction).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace shiftrec {

constexpr int64_t kGapBuckets = 64;

int64_t gap_bucket(int64_t gap);

// Each row's last column — the gap to the interaction a history's last state predicts:
// [B, L] -> [B]; undefined (no time gaps) stays undefined.
at::Tensor last_gap_buckets(const at::Tensor& gaps);

// Gap buckets aligned with pack_histories(items, begin, length, max_length): row r's column
// holding interaction i gets gap_bucket(times[i + 1] - times[i]) when i + 1 < end[r] (the
// end of the user's sequence in `times`), else 0; padding is 0.
// -> [R, L] int64 on the CPU, L = pack_histories' width.
at::Tensor pack_gap_buckets(const std::vector<int64_t>& times, const std::vector<int64_t>& begin,
                            const std::vector<int64_t>& length, const std::vector<int64_t>& end,
                            int64_t max_length);

struct Split;

// pack_gap_buckets over a split's sequences (each row's end = the end of the user sequence
// that begin[r] falls in) -> [R, L] int64 on the CPU; undefined when the split has no
// timestamps.
at::Tensor split_gap_buckets(const Split& split, const std::vector<int64_t>& begin,
                             const std::vector<int64_t>& length, int64_t max_length);

}  // namespace shiftrec
