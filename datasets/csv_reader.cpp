// Generic delimited text (CSV, TSV, ...) with a column mapping, quoted as RFC 4180 allows
// (datasets/csv_records.h). Ids are tokens: numbers or any text (datasets/original_ids.h).
// Options: path, delimiter (","; "\t" for TSV), header (true), user_column, item_column,
// time_column ("" = row order), rating_column ("" = none), min_rating, category_column
// ("" = none), category_separator ("|"). A column is a header name, or a 0-based index.
// Item metadata in its own file (RecBole's .item, most public datasets): item_file, with
// item_file_id_column (default: item_column) and item_file_category_column ("category"), in
// the same delimiter and header convention; then every interaction's item must be in it.
#include <cmath>

#include "core/config.h"
#include "datasets/csv_records.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

class CsvReader : public DatasetReader {
 public:
  explicit CsvReader(ConfigSection s) : section_(s) {
    path_ = data_path(s, "path", "delimited text file (plain or gzip)", true);
    delimiter_ = s.get_string("delimiter", ",", "field delimiter, e.g. \",\" or \"\\t\"");
    if (delimiter_.empty()) s.fail("delimiter", "empty: expected at least one character");
    header_ = s.get_bool("header", true, "the first line names the columns");
    user_ = s.get_string("user_column", "user_id", "user id column (name or 0-based index)");
    item_ = s.get_string("item_column", "item_id", "item id column (name or 0-based index)");
    time_ = s.get_string("time_column", "", "timestamp column; empty = row order");
    rating_ = s.get_string("rating_column", "", "rating column; empty = none");
    min_rating_ = s.get_double("min_rating", 0.0, -1e18, 1e18, "keep ratings >= this");
    if (min_rating_ != 0.0 && rating_.empty()) {  // 0 keeps all: the default means unset
      s.fail("min_rating", "set, but there is no data.rating_column to compare it with");
    }
    category_ = s.get_string("category_column", "", "category column; empty = none");
    category_separator_ =
        s.get_string("category_separator", "|", "separator between categories in a field");
    if (category_separator_.empty()) {
      s.fail("category_separator", "empty: expected at least one character");
    }
    item_file_ = data_path(s, "item_file", "item metadata file with categories (optional)", false);
    item_file_id_ = s.get_string("item_file_id_column", item_,
                                 "item id column of item_file (name or 0-based index)");
    item_file_category_ = s.get_string("item_file_category_column", "category",
                                       "category column of item_file (name or 0-based index)");
    if (!item_file_.empty() && !category_.empty()) {
      s.fail("item_file", "set together with data.category_column: take categories from one");
    }
    if ((!category_.empty() || !item_file_.empty()) && category_separator_ == delimiter_) {
      s.fail("category_separator", "\"" + category_separator_ +
                                       "\" is also data.delimiter: a field could not hold "
                                       "several categories; choose another separator");
    }
  }

  Interactions read() override {
    InteractionsBuilder builder;
    if (!item_file_.empty()) read_item_file(builder);
    TextFile file(path_);
    CsvRecords records(file, delimiter_);
    std::vector<std::string_view> fields;
    const std::vector<std::string> names = read_header(file, records);
    const int64_t user = column(names, "user_column", user_);
    const int64_t item = column(names, "item_column", item_);
    const int64_t time = time_.empty() ? -1 : column(names, "time_column", time_);
    const int64_t rating = rating_.empty() ? -1 : column(names, "rating_column", rating_);
    const int64_t category = category_.empty() ? -1 : column(names, "category_column", category_);
    const std::pair<const char*, int64_t> roles[] = {{"user_column", user},
                                                     {"item_column", item},
                                                     {"time_column", time},
                                                     {"rating_column", rating},
                                                     {"category_column", category}};
    for (size_t a = 0; a < 5; ++a) {  // one column read as two things is a mapping mistake
      for (size_t b = a + 1; b < 5; ++b) {
        if (roles[a].second >= 0 && roles[a].second == roles[b].second) {
          section_.fail(roles[b].first, "column " + std::to_string(roles[b].second) +
                                            " is also data." + roles[a].first);
        }
      }
    }
    const int64_t needed = std::max({user, item, time, rating, category}) + 1;
    while (records.next(fields)) {
      check_field_count(file, fields, names, needed);
      if (rating >= 0 && file.parse_double(fields[rating], "a rating") < min_rating_) continue;
      const int64_t t = time >= 0 ? file.parse_timestamp(fields[time]) : records.first_line();
      if (category >= 0) {
        builder.set_categories(fields[item],
                               split_categories(std::string(fields[category]), category_separator_),
                               file);
      }
      builder.add(fields[user], fields[item], t, file);
    }
    return builder.build(path_, !item_file_.empty(), item_file_);
  }

  std::vector<std::string> files() const override {
    return item_file_.empty() ? std::vector<std::string>{path_}
                              : std::vector<std::string>{path_, item_file_};
  }

 private:
  std::vector<std::string> read_header(TextFile& file, CsvRecords& records) const {
    std::vector<std::string> names;
    if (!header_) return names;
    std::vector<std::string_view> fields;
    if (!records.next(fields)) file.fail("empty file, expected a header line");
    for (auto name : fields) names.emplace_back(name);
    return names;
  }

  void check_field_count(const TextFile& file, const std::vector<std::string_view>& fields,
                         const std::vector<std::string>& names, int64_t needed) const {
    const int64_t expected = header_ ? static_cast<int64_t>(names.size()) : needed;
    if (static_cast<int64_t>(fields.size()) < expected ||
        (header_ && static_cast<int64_t>(fields.size()) != expected)) {
      file.fail("expected " + std::to_string(expected) + " fields, found " +
                std::to_string(fields.size()));
    }
  }

  void read_item_file(InteractionsBuilder& builder) {
    TextFile file(item_file_);
    CsvRecords records(file, delimiter_);
    const std::vector<std::string> names = read_header(file, records);
    const int64_t id = column(names, "item_file_id_column", item_file_id_, item_file_);
    const int64_t category =
        column(names, "item_file_category_column", item_file_category_, item_file_);
    if (id == category) {
      section_.fail("item_file_category_column",
                    "column " + std::to_string(id) + " is also data.item_file_id_column");
    }
    std::vector<std::string_view> fields;
    while (records.next(fields)) {
      check_field_count(file, fields, names, std::max(id, category) + 1);
      if (fields[id].empty()) file.fail("empty item id");
      builder.set_categories(
          fields[id], split_categories(std::string(fields[category]), category_separator_), file);
    }
  }

  int64_t column(const std::vector<std::string>& names, const std::string& key,
                 const std::string& value, const std::string& file = "") {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == value) return static_cast<int64_t>(i);
    }
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
      const int64_t index = std::stoll(value);
      if (!header_ || index < static_cast<int64_t>(names.size())) return index;
    }
    section_.fail(key, "column \"" + value + "\" is not in the header of " +
                           (file.empty() ? path_ : file) +
                           (header_ ? "" : " (without a header, give a 0-based index)"));
  }

  ConfigSection section_;
  std::string path_, delimiter_, user_, item_, time_, rating_, category_, category_separator_;
  std::string item_file_, item_file_id_, item_file_category_;
  bool header_ = true;
  double min_rating_ = 0.0;
};

std::unique_ptr<DatasetReader> make_csv(ConfigSection s) { return std::make_unique<CsvReader>(s); }

}  // namespace

SHIFTREC_REGISTER_READER("csv", "generic CSV/TSV with a column mapping", make_csv);

}  // namespace shiftrec
