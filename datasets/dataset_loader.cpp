#include "datasets/dataset_loader.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"
#include "datasets/s3rec_reader.h"

namespace shiftrec {
namespace {

std::string file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return fnv1a_hex(content.str());
}

std::string resolve_path(ConfigSection& s) {
  const char* env = std::getenv("SHIFTREC_DATA");
  const std::string root =
      s.get_string("root", env != nullptr ? env : "",
                   "folder that relative data paths start from (default: $SHIFTREC_DATA)");
  const std::string path = s.get_string("path", "", "data file, relative to root or absolute");
  if (path.empty()) s.fail("path", "missing: a file source needs data.path");
  if (path.front() == '/' || root.empty()) return path;
  return root + "/" + path;
}

}  // namespace

Dataset load_dataset(ConfigSection s, uint64_t run_seed) {
  Dataset dataset;
  dataset.source = s.get_string("source", "synthetic", "where interactions come from",
                                {"synthetic", "s3rec"});
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
    const std::string path = resolve_path(s);
    log_info("reading " + path);
    dataset.description = path;
    dataset.interactions = read_s3rec_sequences(path);
    dataset.fingerprint = fnv1a_hex("s3rec:" + file_fingerprint(path));
  }
  dataset.interactions.validate();
  return dataset;
}

}  // namespace shiftrec
