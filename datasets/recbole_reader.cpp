// RecBole atomic files (tab-separated, header "name:type"):
// Ids are tokens (numbers or text, datasets/original_ids.h).
//   <name>.inter  user_id:token item_id:token [rating:float] [timestamp:float]
//   <name>.item   item_id:token ... <category_field>:token_seq  -> categories (space-separated)
// Options: path, items_path (optional), category_field ("class"), min_rating.
#include <cmath>

#include "core/config.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

// Column index of `name` in a RecBole header ("name:type" fields); -1 when absent.
int64_t column_of(const std::vector<std::string_view>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    const auto field = header[i];
    if (field.substr(0, field.find(':')) == name) return static_cast<int64_t>(i);
  }
  return -1;
}

// The tab-separated fields of a data line, which must match the header's column count.
std::vector<std::string_view> tab_fields(const TextFile& file, const std::string& line,
                                         size_t columns) {
  auto fields = split_fields(line, "\t");
  if (fields.size() != columns) {
    file.fail("expected " + std::to_string(columns) + " tab-separated fields, found " +
              std::to_string(fields.size()));
  }
  return fields;
}

class RecBoleReader : public DatasetReader {
 public:
  explicit RecBoleReader(ConfigSection s) {
    inter_ = data_path(s, "path", "RecBole .inter file", true);
    items_ = data_path(s, "items_path", "RecBole .item file with categories (optional)", false);
    category_field_ = s.get_string("category_field", "class",
                                   "token_seq column of the .item file holding categories");
    min_rating_ = s.get_double("min_rating", 0.0, 0.0, 1e9, "keep ratings >= this");
    require_categories_ = s.get_bool("require_categories", !items_.empty(),
                                     "every item must have a category in items_path");
  }

  Interactions read() override {
    InteractionsBuilder builder;
    std::string line;
    if (!items_.empty()) {
      TextFile file(items_);
      if (!file.next_line(line)) file.fail("empty file, expected a header line");
      const auto header = split_fields(line, "\t");
      const int64_t id = column_of(header, "item_id");
      const int64_t category = column_of(header, category_field_);
      if (id < 0) file.fail("header has no item_id column");
      if (category < 0) file.fail("header has no " + category_field_ + " column");
      while (file.next_line(line)) {
        if (line.empty()) continue;
        const auto fields = tab_fields(file, line, header.size());
        if (fields[id].empty()) file.fail("empty item id");
        builder.set_categories(fields[id], split_categories(std::string(fields[category]), " "),
                               file);
      }
    }
    TextFile file(inter_);
    if (!file.next_line(line)) file.fail("empty file, expected a header line");
    const auto header = split_fields(line, "\t");
    const int64_t user = column_of(header, "user_id"), item = column_of(header, "item_id");
    const int64_t rating = column_of(header, "rating"), time = column_of(header, "timestamp");
    if (user < 0 || item < 0) file.fail("header needs user_id and item_id columns");
    if (rating < 0 && min_rating_ > 0) {
      file.fail("data.min_rating is set, but the header has no rating column");
    }
    while (file.next_line(line)) {
      if (line.empty()) continue;
      const auto fields = tab_fields(file, line, header.size());
      if (rating >= 0 && file.parse_double(fields[rating], "a rating") < min_rating_) continue;
      const int64_t t = time >= 0 ? file.parse_timestamp(fields[time]) : file.line_number();
      builder.add(fields[user], fields[item], t, file);
    }
    return builder.build(inter_, require_categories_ && builder.has_categories());
  }

  std::vector<std::string> files() const override {
    return items_.empty() ? std::vector<std::string>{inter_}
                          : std::vector<std::string>{inter_, items_};
  }

 private:
  std::string inter_, items_, category_field_;
  double min_rating_ = 0.0;
  bool require_categories_ = false;
};

std::unique_ptr<DatasetReader> make_recbole(ConfigSection s) {
  return std::make_unique<RecBoleReader>(s);
}

}  // namespace

SHIFTREC_REGISTER_READER("recbole", "RecBole atomic files (.inter + .item categories)",
                         make_recbole);

}  // namespace shiftrec
