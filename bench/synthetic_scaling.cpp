// Cost of the synthetic generator as the number of users grows (it must stay linear).
//
//   build/bench/synthetic_scaling [max_users]     (default 1,000,000)
//
// Prints users, interactions, seconds, interactions per second and peak RSS after each size.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "datasets/synthetic.h"

int main(int argc, char** argv) {
  const int64_t max_users = argc > 1 ? std::atoll(argv[1]) : 1000000;
  std::printf("%10s %12s %9s %14s %12s\n", "users", "interactions", "seconds", "inter/s",
              "peak_rss_MB");
  for (int64_t users = 10000; users <= max_users; users *= 10) {
    shiftrec::SyntheticOptions options;
    options.users = users;
    options.items = 100000;
    options.categories = 1000;
    const auto start = std::chrono::steady_clock::now();
    const shiftrec::SyntheticData data = shiftrec::generate_synthetic(options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("%10lld %12lld %9.2f %14.0f %12.0f\n", static_cast<long long>(users),
                static_cast<long long>(data.interactions.size()), seconds,
                static_cast<double>(data.interactions.size()) / seconds,
                static_cast<double>(usage.ru_maxrss) / 1024.0);
  }
  return 0;
}
