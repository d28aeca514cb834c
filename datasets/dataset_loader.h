// Loads the interaction store named by the [data] section of a config.
//
//   [data]
//   source = "synthetic"          # or a registered reader: csv, movielens, recbole, s3rec, taobao
//   root   = "/path/to/datasets"  # default: $SHIFTREC_DATA
//   path   = "amazon-s3rec/Beauty.txt"   # relative to root (file sources; see reader.h)
//   [data.synthetic]              # synthetic only; see SyntheticOptions
#pragma once

#include <string>
#include <vector>

#include "datasets/interactions.h"
#include "datasets/synthetic.h"

namespace shiftrec {

class Config;
class ConfigSection;

struct Dataset {
  std::string source;       // "synthetic" or a reader name
  std::string description;  // "synthetic", or the file path
  std::string fingerprint;  // changes whenever the data or its loading options change
  Interactions interactions;
  // After update files (load_updated_dataset): the merged indices of the last update's users,
  // ascending, and how many users and items the updates added. Empty / 0 otherwise.
  std::vector<int32_t> updated_users;
  int64_t added_users = 0;
  int64_t added_items = 0;
  // Synthetic data only: the planted truth, row-aligned with `interactions`.
  std::vector<int32_t> regime;
  std::vector<ChangePoint> change_points;
};

// What load_dataset does after reading the options: load the data, or (for `shiftrec
// options`, whose data may not exist yet) stand a small synthetic store in for it — with
// timestamps, categories and a given split, so that every split protocol and model part
// after it reads its options too.
enum class DataLoading { read, options_only };

// Reads the options (all of them, so a config error surfaces before any heavy work), then
// loads. Synthetic data has its own seed (data.synthetic.seed), not the run's.
Dataset load_dataset(ConfigSection data_section, DataLoading loading = DataLoading::read);

// load_dataset, then each file of `data.updates` (what `shiftrec update` added) read the way
// `data.path` is — same reader and options, but no loading filters and no cache, since an
// update is a slice of the data rather than a dataset — and appended in order
// (datasets/interaction_updates.h). Errors name the update file or the config key.
Dataset load_updated_dataset(Config& config, DataLoading loading = DataLoading::read);

}  // namespace shiftrec
