#include "datasets/s3rec_reader.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/error.h"
#include "core/json_input.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

void read_attributes(const std::string& path, InteractionsBuilder& builder) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open (missing or unreadable)");
  const nlohmann::json json = parse_json(in, path);
  if (!json.is_object()) throw UserError(path + ": expected a JSON object {\"item\": [attr, ...]}");
  for (const auto& [key, value] : json.items()) {
    int64_t item = 0;
    try {
      size_t used = 0;
      item = std::stoll(key, &used);
      if (used != key.size()) throw std::invalid_argument(key);
    } catch (const std::exception&) {
      throw UserError(path + ": key " + json_excerpt(key) + " is not an integer item id");
    }
    if (!value.is_array()) {
      throw UserError(path + ": item " + key + ": expected a list of attribute ids");
    }
    std::vector<std::string> attributes;
    for (const auto& a : value) {
      if (!a.is_number_integer()) {
        throw UserError(path + ": item " + key + ": attribute " + json_excerpt(a) +
                        " is not an integer");
      }
      attributes.push_back(std::to_string(a.get<int64_t>()));
    }
    builder.set_categories(item, attributes);
  }
}

}  // namespace

Interactions read_s3rec_sequences(const std::string& path, const std::string& attributes_path,
                                  bool require_categories) {
  InteractionsBuilder builder;
  if (!attributes_path.empty()) read_attributes(attributes_path, builder);
  TextFile file(path);
  std::string line;
  while (file.next_line(line)) {
    const auto fields = split_whitespace(line);
    if (fields.empty()) continue;
    if (fields.size() < 2)
      file.fail("expected \"user item [item ...]\", found a user without items");
    const int64_t user = file.parse_int(fields[0], "a user id");
    for (size_t k = 1; k < fields.size(); ++k) {
      builder.add(user, file.parse_int(fields[k], "an item id"), static_cast<int64_t>(k - 1), file);
    }
  }
  return builder.build(path, require_categories && !attributes_path.empty());
}

namespace {

class S3RecReader : public DatasetReader {
 public:
  explicit S3RecReader(ConfigSection s) {
    path_ = data_path(s, "path", "S3-Rec sequence file, e.g. amazon-s3rec/Beauty.txt", true);
    attributes_ = data_path(s, "attributes_path",
                            "item2attributes JSON giving category sets (optional)", false);
    require_categories_ = s.get_bool("require_categories", true,
                                     "every item must have attributes when attributes_path is set");
  }
  Interactions read() override {
    return read_s3rec_sequences(path_, attributes_, require_categories_);
  }
  std::vector<std::string> files() const override {
    return attributes_.empty() ? std::vector<std::string>{path_}
                               : std::vector<std::string>{path_, attributes_};
  }

 private:
  std::string path_, attributes_;
  bool require_categories_ = true;
};

std::unique_ptr<DatasetReader> make_s3rec(ConfigSection s) {
  return std::make_unique<S3RecReader>(s);
}

}  // namespace

SHIFTREC_REGISTER_READER("s3rec", "S3-Rec sequences (+ item2attributes JSON as categories)",
                         make_s3rec);

}  // namespace shiftrec
