#include "datasets/dataset_loader.h"

#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "datasets/filters.h"
#include "datasets/reader.h"

namespace shiftrec {
namespace {

std::string file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return fnv1a_hex(content.str());
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
    const std::vector<std::string> files = reader->files();
    log_info("reading " + join(files));
    dataset.description = join(files);
    dataset.interactions = reader->read();
    std::string key = dataset.source;
    for (const auto& file : files) key += ":" + file_fingerprint(file);
    dataset.fingerprint = fnv1a_hex(key);
  }
  const FilterOptions filters = FilterOptions::from_config(s);
  if (filters.active()) {
    const int64_t before = dataset.interactions.size();
    dataset.interactions = apply_filters(dataset.interactions, filters);
    dataset.regime.clear();  // planted labels are row-aligned with the unfiltered data
    dataset.change_points.clear();
    log_info("filters kept " + std::to_string(dataset.interactions.size()) + " of " +
             std::to_string(before) + " interactions");
    dataset.fingerprint = fnv1a_hex(dataset.fingerprint + ":" + filters.duplicates + ":" +
                                    std::to_string(filters.min_user_interactions) + ":" +
                                    std::to_string(filters.min_item_interactions) + ":" +
                                    std::to_string(filters.min_sequence_length));
  }
  dataset.interactions.validate();
  return dataset;
}

}  // namespace shiftrec
