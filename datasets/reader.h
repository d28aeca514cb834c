// Dataset readers: one per on-disk format, chosen by `data.source` in the config.
//
// Every reader produces the one Interactions store (original ids kept, categories where the
// format has them) and names the files it reads, for the data fingerprint. Bad input —
// truncated lines, wrong column counts, non-numeric ids or times, unknown behaviour types,
// invalid JSON, empty or missing files, items without a category where categories are
// required — is a UserError naming the file and line (or JSON byte offset).
//
// Paths in the config are relative to `data.root` (default: $SHIFTREC_DATA) unless absolute.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"
#include "datasets/interactions.h"

namespace shiftrec {

class ConfigSection;

class DatasetReader {
 public:
  virtual ~DatasetReader() = default;
  virtual Interactions read() = 0;
  virtual std::vector<std::string> files() const = 0;
};

// A factory reads its options from the [data] section (all keys but `source`).
using ReaderFactory = std::function<std::unique_ptr<DatasetReader>(ConfigSection)>;
using ReaderRegistry = Registry<ReaderFactory>;
ReaderRegistry& reader_registry();

// The path in `key`, resolved against data.root / $SHIFTREC_DATA. Empty when the key is
// optional and not given; a required key that is missing is a ConfigError.
std::string data_path(ConfigSection& section, const std::string& key,
                      const std::string& description, bool required);

// Category names from "Action|Comedy" style fields; empty parts are dropped.
std::vector<std::string> split_categories(const std::string& field, const std::string& separator);

}  // namespace shiftrec

#define SHIFTREC_REGISTER_READER(name, description, factory) \
  SHIFTREC_REGISTER(::shiftrec::reader_registry, name, description, factory)
