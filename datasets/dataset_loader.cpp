#include "datasets/dataset_loader.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/atomic_file.h"
#include "core/checksum.h"
#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "datasets/filters.h"
#include "datasets/interaction_updates.h"
#include "datasets/interactions_cache.h"
#include "datasets/reader.h"

namespace shiftrec {
namespace {

// The fingerprint of a source file's bytes. Missing files are the reader's error.
std::string file_fingerprint(const std::string& path) {
  const std::optional<Checksum> sum = file_checksum(path);
  if (!sum) throw UserError(path + ": cannot open (missing or unreadable)");
  return fnv1a_hex(std::to_string(sum->hash) + ":" + std::to_string(sum->bytes));
}

// Every user's last interaction is the given test target, the one before it the valid one.
Interactions stand_in_interactions() {
  SyntheticOptions o;
  o.users = 20;
  o.items = 30;
  o.categories = 5;
  o.min_length = 5;
  o.max_length = 8;
  Interactions data = generate_synthetic(o).interactions;
  data.given_split.assign(static_cast<size_t>(data.size()), 0);
  for (int64_t u = 0; u < data.n_users; ++u) {
    data.given_split[data.user_offsets[u + 1] - 1] = 2;
    data.given_split[data.user_offsets[u + 1] - 2] = 1;
  }
  return data;
}

}  // namespace

Dataset load_dataset(ConfigSection s, DataLoading loading) {
  Dataset dataset;
  std::vector<std::string> sources = {"synthetic"};
  for (const auto& name : reader_registry().names()) sources.push_back(name);
  dataset.source = s.get_string("source", "synthetic", "where interactions come from", sources);
  const bool synthetic = dataset.source == "synthetic";
  SyntheticOptions synthetic_options;
  std::unique_ptr<DatasetReader> reader;
  if (synthetic) {
    synthetic_options = SyntheticOptions::from_config(s.sub("synthetic"));
  } else {
    reader = reader_registry().get(dataset.source)(s);
  }
  const FilterOptions filters = FilterOptions::from_config(s);
  const std::vector<std::string> files = synthetic ? std::vector<std::string>{} : reader->files();
  dataset.description = synthetic ? "synthetic" : join(files);
  // Every option read so far shaped the store (the cache options below do not), and so did
  // the sources' bytes: together they are the data fingerprint and the cache key.
  std::string key = "v1:" + s.resolved_text();
  bool use_cache = false;
  std::string cache_dir;
  if (!synthetic) {
    use_cache = s.get_bool("cache", true,
                           "keep the loaded, filtered store in an HDF5 cache keyed by content");
    cache_dir = s.get_string("cache_dir", default_cache_dir(), "folder of the data cache");
  }
  if (loading == DataLoading::options_only) {
    dataset.interactions = stand_in_interactions();
    return dataset;
  }
  for (const auto& file : files) key += ":" + file_fingerprint(file);
  dataset.fingerprint = fnv1a_hex(key);

  if (synthetic) {
    log_info("generating synthetic data: " + std::to_string(synthetic_options.users) + " users, " +
             std::to_string(synthetic_options.items) + " items");
    SyntheticData generated = generate_synthetic(synthetic_options);
    dataset.interactions = std::move(generated.interactions);
    dataset.regime = std::move(generated.regime);
    dataset.change_points = std::move(generated.change_points);
    if (filters.active()) {
      dataset.interactions = apply_filters(dataset.interactions, filters);
      dataset.regime.clear();  // planted labels are row-aligned with the unfiltered data
      dataset.change_points.clear();
    }
  } else {
    std::optional<Interactions> cached;
    if (use_cache) {
      remove_stale_temporaries(cache_dir);  // a killed writer's half-written file stays forever
      cached = load_cached(cache_dir, dataset.fingerprint);
    }
    if (cached) {
      log_info("loaded " + dataset.description + " from cache " + cache_dir);
      dataset.interactions = std::move(*cached);
    } else {
      log_info("reading " + dataset.description);
      dataset.interactions = reader->read();
      if (filters.active()) dataset.interactions = apply_filters(dataset.interactions, filters);
      if (use_cache) {
        try {  // the cache is an optimisation: the data loaded, so the run goes on
          store_cached(cache_dir, dataset.fingerprint, dataset.interactions);
        } catch (const UserError& e) {
          log_warn(std::string(e.what()) + "; continuing without the data cache");
        }
      }
    }
  }
  log_info("data: " + std::to_string(dataset.interactions.size()) + " interactions");
  dataset.interactions.validate();
  return dataset;
}

Dataset load_updated_dataset(Config& config, DataLoading loading) {
  ConfigSection s = config.section("data");
  Dataset dataset = load_dataset(s, loading);
  const std::vector<std::string> updates = s.get_string_list(
      "updates", {}, "interaction files appended to the data by shiftrec update, in order");
  if (updates.empty() || loading == DataLoading::options_only) return dataset;
  if (dataset.source == "synthetic") s.fail("updates", "synthetic data takes no update files");
  const std::string resolved = config.resolved_toml();
  for (const std::string& file : updates) {
    Config slice = Config::from_string(resolved, config.source_name());
    slice.apply_override("data.path=" + toml_quoted(file));
    slice.apply_override("data.updates=[]");
    slice.apply_override("data.cache=false");
    slice.apply_override("data.duplicates=\"keep_all\"");
    for (const char* key :
         {"min_user_interactions", "min_item_interactions", "min_sequence_length"}) {
      slice.apply_override(std::string("data.") + key + "=0");
    }
    Dataset part = load_dataset(slice.section("data"));
    if (part.description.find(file) == std::string::npos) {
      s.fail("updates", "the " + dataset.source + " reader does not take its interactions from " +
                            "data.path, so an update file cannot stand in for it");
    }
    UpdatedInteractions merged = append_interactions(dataset.interactions, part.interactions, file);
    dataset.interactions = std::move(merged.merged);
    dataset.updated_users = std::move(merged.updated_users);
    dataset.added_users += merged.new_users;
    dataset.added_items += merged.new_items;
    dataset.description += " + " + file;
    dataset.fingerprint = fnv1a_hex(dataset.fingerprint + ":" + part.fingerprint);
  }
  log_info("data after " + std::to_string(updates.size()) +
           " update file(s): " + std::to_string(dataset.added_users) + " new users, " +
           std::to_string(dataset.added_items) + " new items, " +
           std::to_string(dataset.updated_users.size()) + " users with new interactions");
  return dataset;
}

}  // namespace shiftrec
