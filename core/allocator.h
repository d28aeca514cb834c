// Process-wide allocator tuning for training loops.
//
// glibc returns every freed block of >= 128 KiB to the kernel (mmap/munmap), so a training
// step that allocates the same activation and gradient buffers again pays page faults and
// page clearing each time. Measured on Beauty SASRec (2 cores): 3.5 s -> 2.5 s per epoch.
#pragma once

namespace shiftrec {

// Takes every block from the heap (no mmap, whose ceiling for reuse is 32 MiB), keeps freed
// blocks there for reuse, and never trims the heap (RSS stays at the process's peak).
// Measured: a SASRec+ epoch on BERT4Rec's Beauty (chunked CE, 223 MB chunks) 52.7 -> 45.9 s
// with system time 55 -> 5 s; full-ranking evaluation of 50 k users x 100 k items 15.0 ->
// 11.3 s, same peak RSS (bench/README.md). Also bounds oneDNN's cache of compiled bf16
// products to 16 shapes (ONEDNN_PRIMITIVE_CACHE_CAPACITY, unless set). Call once, early in
// main(), before any tensor work.
void retain_freed_memory();

}  // namespace shiftrec
