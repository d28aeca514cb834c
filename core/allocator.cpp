#include "core/allocator.h"

#include <malloc.h>

namespace shiftrec {

void retain_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  // Blocks above the 32 MiB ceiling (a [1024, 100 k] score matrix, a softmax chunk over 54 k
  // items) would still be mmap'ed and faulted in afresh each time: take every block from the
  // heap instead, so those are reused too.
  mallopt(M_MMAP_MAX, 0);
}

}  // namespace shiftrec
