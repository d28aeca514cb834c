// The benchmarks' memory figure: the process's peak resident set so far, in MB.
#pragma once

#include <sys/resource.h>

namespace shiftrec::bench {

inline double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace shiftrec::bench
