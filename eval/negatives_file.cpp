#include "eval/negatives_file.h"

#include <filesystem>

#include "core/error.h"
#include "core/hdf5_columns.h"
#include "core/hdf5_file.h"

namespace shiftrec {
namespace {

constexpr int64_t kNegativesFormatVersion = 1;

}  // namespace

void write_negatives(const std::string& path, const FrozenNegatives& negatives) {
  Hdf5Writer out(path, "negatives file");
  write_attribute(out.id(), "format_version", kNegativesFormatVersion);
  write_attribute(out.id(), "per_target", negatives.per_target);
  write_column(out.id(), "protocol",
               std::vector<uint8_t>(negatives.protocol.begin(), negatives.protocol.end()));
  for (const auto& [split, items] : negatives.by_split)
    write_column(out.id(), split.c_str(), items);
  out.commit();
}

FrozenNegatives read_negatives(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": no such negatives file");
  QuietHdf5Errors quiet;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw UserError(path + ": not a readable HDF5 file");
  FrozenNegatives out;
  int64_t version = 0;
  std::vector<uint8_t> protocol;
  bool ok = read_attribute(file, "format_version", version) && version == kNegativesFormatVersion &&
            read_attribute(file, "per_target", out.per_target) && out.per_target > 0 &&
            read_column(file, "protocol", protocol);
  for (const char* split : {"valid", "test"}) {
    std::vector<int32_t> items;
    if (!ok || H5Lexists(file, split, H5P_DEFAULT) <= 0) continue;
    ok =
        read_column(file, split, items) && static_cast<int64_t>(items.size()) % out.per_target == 0;
    out.by_split[split] = std::move(items);
  }
  H5Fclose(file);
  if (!ok) {
    throw UserError(path + ": not a shiftrec negatives file of format " +
                    std::to_string(kNegativesFormatVersion) + " (or damaged)");
  }
  out.protocol.assign(protocol.begin(), protocol.end());
  return out;
}

}  // namespace shiftrec
