#include "train/negatives.h"

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/thread_generator.h"

namespace shiftrec {

at::Tensor sample_negatives(const at::Tensor& positives, int64_t n_items, int64_t count) {
  SHIFTREC_ASSERT(n_items >= 2, "negative sampling needs at least 2 items");
  auto offsets = thread_randint(0, n_items - 1, {positives.size(0), count}, positives.options());
  return (positives.unsqueeze(1) + 1 + offsets).remainder(n_items);
}

}  // namespace shiftrec
