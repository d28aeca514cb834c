#include "datasets/dataset_loader.h"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "datasets/filters.h"
#include "datasets/interactions_cache.h"
#include "datasets/reader.h"

namespace shiftrec {
namespace {

// A 64-bit hash of a file's bytes, 8 bytes per step (byte-wise FNV-1a made the cache-hit
// path slower than reading the cached store itself). Missing files are the reader's error.
std::string file_fingerprint(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw UserError(path + ": cannot open (missing or unreadable)");
  std::vector<unsigned char> buffer(1 << 20);
  uint64_t hash = 0x9E3779B97F4A7C15ull;
  size_t total = 0, got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    size_t i = 0;
    for (; i + 8 <= got; i += 8) {
      uint64_t word;
      std::memcpy(&word, buffer.data() + i, 8);
      hash = (hash ^ word) * 0x100000001B3ull;
      hash ^= hash >> 29;
    }
    for (; i < got; ++i) hash = (hash ^ buffer[i]) * 0x100000001B3ull;
    total += got;
  }
  std::fclose(file);
  return fnv1a_hex(std::to_string(hash) + ":" + std::to_string(total));
}

}  // namespace

Dataset load_dataset(ConfigSection s, uint64_t run_seed) {
  Dataset dataset;
  std::vector<std::string> sources = {"synthetic"};
  for (const auto& name : reader_registry().names()) sources.push_back(name);
  dataset.source = s.get_string("source", "synthetic", "where interactions come from", sources);
  if (dataset.source == "synthetic") {
    const SyntheticOptions options = SyntheticOptions::from_config(s.sub("synthetic"), run_seed);
    log_info("generating synthetic data: " + std::to_string(options.users) + " users, " +
             std::to_string(options.items) + " items");
    SyntheticData generated = generate_synthetic(options);
    dataset.description = "synthetic";
    std::ostringstream key;
    key << "synthetic:" << options.users << ':' << options.items << ':' << options.categories
        << ':' << options.graph_degree << ':' << options.active_interests << ':'
        << options.min_length << ':' << options.max_length << ':' << options.shift_rate << ':'
        << options.graph_follow << ':' << options.item_power_law << ':' << options.noise << ':'
        << options.mean_gap_seconds << ':' << options.shift_gap_factor << ':' << options.seed;
    dataset.fingerprint = fnv1a_hex(key.str());
    dataset.interactions = std::move(generated.interactions);
    dataset.regime = std::move(generated.regime);
    dataset.change_points = std::move(generated.change_points);
  } else {
    std::unique_ptr<DatasetReader> reader = reader_registry().get(dataset.source)(s);
    const FilterOptions filters = FilterOptions::from_config(s);
    const std::vector<std::string> files = reader->files();
    dataset.description = join(files);
    // Every option read so far shaped the store; the cache options below do not.
    std::string key = "v1:" + s.resolved_text();
    for (const auto& file : files) key += ":" + file_fingerprint(file);
    dataset.fingerprint = fnv1a_hex(key);
    const bool use_cache = s.get_bool(
        "cache", true, "keep the loaded, filtered store in an HDF5 cache keyed by content");
    const std::string cache_dir =
        s.get_string("cache_dir", default_cache_dir(), "folder of the data cache");
    std::optional<Interactions> cached;
    if (use_cache) cached = load_cached(cache_dir, dataset.fingerprint);
    if (cached) {
      log_info("loaded " + dataset.description + " from cache " + cache_dir);
      dataset.interactions = std::move(*cached);
    } else {
      log_info("reading " + dataset.description);
      dataset.interactions = reader->read();
      if (filters.active()) dataset.interactions = apply_filters(dataset.interactions, filters);
      if (use_cache) store_cached(cache_dir, dataset.fingerprint, dataset.interactions);
    }
    log_info("data: " + std::to_string(dataset.interactions.size()) + " interactions");
  }
  dataset.interactions.validate();
  return dataset;
}

}  // namespace shiftrec
