// Parse + split cost as the data grows (it must stay linear): synthetic sets written as CSV
// by `save_synthetic`, then read back through the generic csv reader with the cache off.
//
//   build/bench/data_scaling [max_interactions]     (default 100,000,000)
//
// Sizes grow 10x from 1 M. Prints write, parse and split seconds, parse throughput and the
// process's peak RSS so far. Needs about 27 bytes of disk per interaction in $TMPDIR.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/config.h"
#include "core/log.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"

#include "bench/peak_rss.h"

using shiftrec::bench::peak_rss_mb;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  shiftrec::set_log_level(shiftrec::LogLevel::kWarn);
  const int64_t max_interactions = argc > 1 ? std::atoll(argv[1]) : 100000000;
  const std::string dir = std::filesystem::temp_directory_path() / "shiftrec-data-scaling";
  std::printf("%12s %9s %9s %9s %12s %11s\n", "interactions", "write_s", "parse_s", "split_s",
              "parse_M/s", "peak_rss_MB");
  for (int64_t target = 1000000; target <= max_interactions; target *= 10) {
    std::filesystem::remove_all(dir);
    double write_seconds = 0;
    {
      shiftrec::SyntheticOptions options;
      options.users = target / 25;  // lengths 10..40, mean 25
      options.items = 100000;
      options.categories = 1000;
      const double start = now();
      shiftrec::save_synthetic(shiftrec::generate_synthetic(options), dir);
      write_seconds = now() - start;
    }
    shiftrec::Config config = shiftrec::Config::from_string(
        "[data]\nsource = \"csv\"\npath = \"" + dir +
            "/interactions.csv\"\n"
            "user_column = \"user\"\nitem_column = \"item\"\ntime_column = \"timestamp\"\n"
            "cache = false\n",
        "scaling.toml");
    double start = now();
    const shiftrec::Dataset dataset = shiftrec::load_dataset(config.section("data"));
    const double parse_seconds = now() - start;
    start = now();
    const shiftrec::Split split = shiftrec::leave_one_out(dataset.interactions);
    const double split_seconds = now() - start;
    std::printf("%12lld %9.2f %9.2f %9.2f %12.2f %11.0f\n",
                static_cast<long long>(dataset.interactions.size()), write_seconds, parse_seconds,
                split_seconds,
                static_cast<double>(dataset.interactions.size()) / parse_seconds / 1e6,
                peak_rss_mb());
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
