#include "core/allocator.h"

#include <malloc.h>

namespace shiftrec {

void retain_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  // Never give the heap's top back: a step whose temporaries pass any threshold (the plain
  // softmax's [6,400, 12,101] logits, their softmax and gradient on Beauty: about 1 GB) left
  // that much free at the top when it ended, glibc returned it, and the next such step
  // faulted it in again (45,000 page faults a second). The process keeps its peak, which
  // peak RSS reports anyway.
  mallopt(M_TRIM_THRESHOLD, -1);
  // Blocks above the 32 MiB ceiling (a [1024, 100 k] score matrix, a softmax chunk over 54 k
  // items) would still be mmap'ed and faulted in afresh each time: take every block from the
  // heap instead, so those are reused too.
  mallopt(M_MMAP_MAX, 0);
}

}  // namespace shiftrec
