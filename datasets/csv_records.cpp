#include "datasets/csv_records.h"

namespace shiftrec {

CsvRecords::CsvRecords(TextFile& file, std::string delimiter)
    : file_(file), delimiter_(std::move(delimiter)) {}

bool CsvRecords::next(std::vector<std::string_view>& fields) {
  do {
    if (!file_.next_line(line_)) return false;
  } while (line_.empty());
  first_line_ = file_.line_number();
  if (line_.find('"') == std::string::npos) {  // the common case: no quoting at all
    fields = split_fields(line_, delimiter_);
    return true;
  }
  parse_quoted(fields);
  return true;
}

void CsvRecords::parse_quoted(std::vector<std::string_view>& fields) {
  record_.clear();
  bounds_.clear();
  size_t at = 0;  // position in line_
  while (true) {  // one field per turn
    const size_t start = record_.size();
    if (at < line_.size() && line_[at] == '"') {
      const int64_t opened = file_.line_number();
      ++at;
      while (true) {
        const size_t quote = line_.find('"', at);
        if (quote == std::string::npos) {  // the field goes on past this line
          record_.append(line_, at, std::string::npos);
          if (!file_.next_line(line_)) {
            file_.fail_at(opened,
                          "a quoted field opened on this line is never closed "
                          "(an unmatched \" in the file)");
          }
          record_ += '\n';
          at = 0;
          continue;
        }
        record_.append(line_, at, quote - at);
        if (quote + 1 < line_.size() && line_[quote + 1] == '"') {  // "" is one quote
          record_ += '"';
          at = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      if (at < line_.size() && line_.compare(at, delimiter_.size(), delimiter_) != 0) {
        file_.fail("text after the closing quote of field " + std::to_string(bounds_.size() + 1) +
                   " (a quote inside a quoted field is "
                   "written twice: \"\")");
      }
    } else {
      const size_t end = std::min(line_.find(delimiter_, at), line_.size());
      record_.append(line_, at, end - at);
      at = end;
    }
    bounds_.emplace_back(start, record_.size() - start);
    if (at >= line_.size()) break;
    at += delimiter_.size();  // at a delimiter: another field follows (maybe empty)
  }
  fields.clear();
  for (const auto& [start, length] : bounds_) {
    fields.emplace_back(std::string_view(record_).substr(start, length));
  }
}

}  // namespace shiftrec
