#include "datasets/interactions_cache.h"

#include <hdf5.h>

#include <cstdlib>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/checksum.h"
#include "core/error.h"
#include "core/hdf5_columns.h"
#include "core/hdf5_file.h"
#include "core/log.h"
#include "core/read_file.h"

namespace shiftrec {
namespace {

constexpr int64_t kFormatVersion = 4;  // 4: each item's categories once; 3: text ids

// A column of original ids: numbers under `name`, texts under `name`_text (one is empty).
void write_id_columns(hid_t file, const std::string& name, const OriginalIds& ids) {
  write_column(file, name.c_str(), ids.numbers());
  write_text_column(file, (name + "_text").c_str(), ids.texts());
}

bool read_id_columns(hid_t file, const std::string& name, OriginalIds& ids) {
  std::vector<int64_t> numbers;
  std::vector<std::string> texts;
  if (!read_column(file, name.c_str(), numbers) ||
      !read_text_column(file, (name + "_text").c_str(), texts) ||
      (!numbers.empty() && !texts.empty())) {
    return false;
  }
  ids = texts.empty() ? OriginalIds::from_numbers(std::move(numbers))
                      : OriginalIds::from_texts(std::move(texts));
  return true;
}

std::string path_for(const std::string& dir, const std::string& key) {
  return dir + "/" + key + ".h5";
}

}  // namespace

std::string default_cache_dir() {
  if (const char* dir = std::getenv("SHIFTREC_CACHE")) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME")) return std::string(xdg) + "/shiftrec";
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.cache/shiftrec";
  return "/tmp/shiftrec-cache";
}

std::optional<Interactions> load_cached(const std::string& dir, const std::string& key) {
  const std::string path = path_for(dir, key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  const std::optional<std::string> seal = read_whole_file(path + ".sum");
  const std::optional<Checksum> sum = file_checksum(path);
  if (!seal || !sum || *seal != sum->hex() + "\n") {
    log_warn("ignoring cache file " + path +
             ": its bytes are not the ones written (damaged, or "
             "from an older shiftrec); it will be rebuilt");
    return std::nullopt;
  }
  Interactions d;
  bool ok = false;
  QuietHdf5Errors quiet;  // a bad file is a cache miss, not noise
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  int64_t version = 0;
  bool other_format = false;
  if (file >= 0) {
    other_format = read_attribute(file, "format_version", version) && version != kFormatVersion;
    ok = version == kFormatVersion && read_attribute(file, "n_users", d.n_users) &&
         read_attribute(file, "n_items", d.n_items) &&
         read_attribute(file, "n_categories", d.n_categories) &&
         read_column(file, "user", d.user) && read_column(file, "item", d.item) &&
         read_column(file, "time", d.time) && read_column(file, "user_offsets", d.user_offsets) &&
         read_column(file, "given_split", d.given_split) &&
         read_column(file, "category_offsets", d.category_offsets) &&
         read_column(file, "category_ids", d.category_ids) &&
         read_text_column(file, "category_names", d.category_names) &&
         read_id_columns(file, "user_original_ids", d.user_original_ids) &&
         read_id_columns(file, "item_original_ids", d.item_original_ids);
    H5Fclose(file);
  }
  // Columns that read but do not fit together (a damaged or foreign file) are unreadable too:
  // validate() would call them a reader bug.
  ok = ok && d.first_violation().empty();
  if (other_format) {
    log_info("cache file " + path + " has format " + std::to_string(version) + ", this shiftrec " +
             std::to_string(kFormatVersion) + "; it will be rebuilt");
    return std::nullopt;
  }
  if (!ok) {
    log_warn("ignoring unreadable cache file " + path + " (it will be rebuilt)");
    return std::nullopt;
  }
  return d;
}

void store_cached(const std::string& dir, const std::string& key, const Interactions& d) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError("cannot create cache folder " + dir + ": " + ec.message());
  const std::string path = path_for(dir, key);
  Hdf5Writer out(path, "cache file");
  const hid_t file = out.id();
  write_attribute(file, "format_version", kFormatVersion);
  write_attribute(file, "n_users", d.n_users);
  write_attribute(file, "n_items", d.n_items);
  write_attribute(file, "n_categories", d.n_categories);
  write_column(file, "user", d.user);
  write_column(file, "item", d.item);
  write_column(file, "time", d.time);
  write_column(file, "user_offsets", d.user_offsets);
  write_column(file, "given_split", d.given_split);
  write_column(file, "category_offsets", d.category_offsets);
  write_column(file, "category_ids", d.category_ids);
  write_text_column(file, "category_names", d.category_names);
  write_id_columns(file, "user_original_ids", d.user_original_ids);
  write_id_columns(file, "item_original_ids", d.item_original_ids);
  // The seal: a reader opens the file with HDF5 only when its bytes are these (HDF5 itself is
  // not safe on arbitrary damaged files: fuzzing found huge allocations and leaks inside it).
  const Checksum sum = out.commit();
  write_file_atomically(path + ".sum", sum.hex() + "\n");
}

}  // namespace shiftrec
