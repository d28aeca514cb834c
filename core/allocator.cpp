#include "core/allocator.h"

#include <malloc.h>

#include <cstdlib>

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
  // bf16 products on the CPU run in oneDNN, which keeps up to 1,024 compiled products, one per
  // shape, each holding megabytes: a chunked softmax's last chunk and the encoder's length
  // buckets make a new shape every few batches. 16 keep the shapes in use (Beauty SASRec+ in
  // bf16, one epoch: peak RSS 816 -> 507 MB at the same speed; 0 took 413 MB but 1.4x the time).
  // Read by oneDNN at its first product; a value the user set wins.
  setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16", /*overwrite=*/0);
}

}  // namespace shiftrec
