// Parse + filter + split time of a dataset config, cold and from the HDF5 cache.
//
//   SHIFTREC_DATA=../shared/datasets build/bench/data_loading experiments/configs/X.toml ...
//
// For each config: seconds to parse (cache off), to parse and store, to load from the cache,
// and to split (leave-one-out); then the process's peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/log.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double timed_load(const std::string& path, const std::string& cache, bool use_cache,
                  shiftrec::Dataset* out) {
  shiftrec::Config config = shiftrec::Config::from_file(path);
  config.apply_override("data.cache=" + std::string(use_cache ? "true" : "false"));
  config.apply_override("data.cache_dir=\"" + cache + "\"");
  const double start = now();
  *out = shiftrec::load_dataset(config.section("data"));
  return now() - start;
}

}  // namespace

int main(int argc, char** argv) {
  shiftrec::set_log_level(shiftrec::LogLevel::kWarn);
  const std::string cache = std::filesystem::temp_directory_path() / "shiftrec-bench-cache";
  std::printf("%-28s %12s %9s %9s %9s %7s %8s\n", "config", "interactions", "parse_s", "store_s",
              "cached_s", "ratio", "split_s");
  for (int i = 1; i < argc; ++i) {
    std::filesystem::remove_all(cache);
    shiftrec::Dataset dataset;
    const double parse = timed_load(argv[i], cache, false, &dataset);
    const double store = timed_load(argv[i], cache, true, &dataset);
    const double cached = timed_load(argv[i], cache, true, &dataset);
    const double start = now();
    const shiftrec::Split split = shiftrec::leave_one_out(dataset.interactions);
    const double split_seconds = now() - start;
    std::printf("%-28s %12lld %9.3f %9.3f %9.3f %6.1fx %8.3f\n",
                std::filesystem::path(argv[i]).filename().c_str(),
                static_cast<long long>(dataset.interactions.size()), parse, store, cached,
                parse / cached, split_seconds);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS %.0f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  std::filesystem::remove_all(cache);
  return 0;
}
