// Vectorised negative sampling.
#pragma once

#include <ATen/core/Tensor.h>

namespace shiftrec {

// For each positive item id, `count` item ids drawn uniformly from the other n_items - 1
// items (never the positive itself), on the positives' device, from torch's seeded
// default generator: (positive + 1 + U{0, n_items - 2}) mod n_items.
// positives [N] int64 (0-based ids) -> [N, count] int64.
at::Tensor sample_negatives(const at::Tensor& positives, int64_t n_items, int64_t count);

}  // namespace shiftrec
