#include "core/allocator.h"

#include <malloc.h>

namespace shiftrec {

void retain_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

}  // namespace shiftrec
