// The benchmarks' clock: seconds on a steady clock, and the median of repeated runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace shiftrec::bench {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The median seconds of `runs` calls of `f`, after `warm_up` untimed ones.
template <typename F>
double median_seconds(F&& f, int runs = 5, int warm_up = 0) {
  for (int i = 0; i < warm_up; ++i) f();
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now_seconds();
    f();
    times.push_back(now_seconds() - t0);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace shiftrec::bench
