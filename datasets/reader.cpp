#include "datasets/reader.h"

#include <sys/stat.h>

#include <cstdlib>

#include "core/config.h"
#include "datasets/text_file.h"

namespace shiftrec {

ReaderRegistry& reader_registry() { return ReaderRegistry::instance("data source"); }

std::string data_path(ConfigSection& s, const std::string& key, const std::string& description,
                      bool required) {
  const char* env = std::getenv("SHIFTREC_DATA");
  const std::string root =
      s.get_string("root", env != nullptr ? env : "",
                   "folder that relative data paths start from (default: $SHIFTREC_DATA)");
  const std::string path = s.get_string(key, "", description);
  if (path.empty()) {
    if (required) s.fail(key, "missing: this data source needs data." + key);
    return "";
  }
  if (path.front() == '/') return path;
  if (root.empty()) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
      s.fail(key, "\"" + path +
                      "\" is not in the working directory, and relative data paths start from "
                      "data.root or $SHIFTREC_DATA, neither of which is set (e.g. "
                      "SHIFTREC_DATA=../shared/datasets)");
    }
    return path;
  }
  return root + "/" + path;
}

std::vector<std::string> split_categories(const std::string& field, const std::string& separator) {
  std::vector<std::string> out;
  const auto parts = separator == " " ? split_whitespace(field) : split_fields(field, separator);
  for (auto part : parts) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

}  // namespace shiftrec
