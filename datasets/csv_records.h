// Records of delimited text as the world writes it (RFC 4180): a field that starts with a
// double quote runs to the matching quote and may hold the delimiter, line breaks and quotes
// written twice (""); a quote inside an unquoted field is kept as a character. Blank lines
// between records are skipped. Line endings (LF, CRLF) and a leading UTF-8 byte-order mark are
// TextFile's.
//
// Why our own and not a packaged parser: Debian's libcsv (C, upstream silent since 2013) and
// libfccp (a column count fixed at compile time, its own file reading) fit neither our
// gzip-aware TextFile nor multi-character delimiters; the grammar is one small state machine,
// tested on a corpus of quoted, multi-line and broken files (tests/datasets/test_csv_records).
//
//   CsvRecords records(file, ",");
//   std::vector<std::string_view> fields;
//   while (records.next(fields)) ...   // views valid until the next call
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datasets/text_file.h"

namespace shiftrec {

class CsvRecords {
 public:
  CsvRecords(TextFile& file, std::string delimiter);

  // The next record's fields; false at the end of the file. An unterminated quoted field is an
  // error naming the line where it opened; text after a closing quote (other than the
  // delimiter) is an error naming its line.
  bool next(std::vector<std::string_view>& fields);
  // The line the last record began on (a quoted field may carry it over several lines).
  int64_t first_line() const { return first_line_; }

 private:
  void parse_quoted(std::vector<std::string_view>& fields);

  TextFile& file_;
  std::string delimiter_;
  std::string line_;
  std::string record_;                             // unquoted text of a quoted record
  std::vector<std::pair<size_t, size_t>> bounds_;  // [field] (start, length) in record_
  int64_t first_line_ = 0;
};

}  // namespace shiftrec
