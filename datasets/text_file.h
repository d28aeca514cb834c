// Line-by-line reading of plain or gzip-compressed text files (zlib detects which), with the
// file name and line number every reader error must carry.
//
//   TextFile file(path);
//   std::string line;
//   while (file.next_line(line)) {
//     auto fields = split_fields(line, "::");
//     if (fields.size() != 4) file.fail("expected 4 fields, found " + ...);
//     int64_t user = file.parse_int(fields[0], "a user id");
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shiftrec {

class TextFile {
 public:
  // Throws UserError "<path>: cannot open (missing or unreadable)".
  explicit TextFile(std::string path);
  ~TextFile();
  TextFile(const TextFile&) = delete;
  TextFile& operator=(const TextFile&) = delete;

  // Next line without its line ending (LF or CRLF; a UTF-8 byte-order mark before the first
  // line is dropped); false at the end. Throws on a read error, a
  // truncated gzip stream, or a NUL byte (a binary file, or text damaged by one: C-string
  // reading would silently merge the line with the next).
  bool next_line(std::string& line);
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

  // Throws UserError "<path>:<line>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  // Throws UserError "<path>:<line>: <message>" for an earlier line (where a record began).
  [[noreturn]] void fail_at(int64_t line, const std::string& message) const;
  int64_t parse_int(std::string_view field, const std::string& what) const;
  double parse_double(std::string_view field, const std::string& what) const;
  // An integer or decimal time (1.6e9 and 1600000000.5 round) within int64's range: a time
  // beyond it (1e300, 20 digits) is an error, not a wrap to the earliest event.
  int64_t parse_timestamp(std::string_view field) const;

 private:
  bool refill();  // more bytes into buffer_; false at the end

  std::string path_;
  void* handle_ = nullptr;  // gzFile
  int64_t line_number_ = 0;
  std::string buffer_;  // read but not yet returned: [position_, size)
  size_t position_ = 0;
};

// Splits on every occurrence of `delimiter` (no quoting); "a,,b" gives three fields.
std::vector<std::string_view> split_fields(std::string_view line, std::string_view delimiter);
// Splits on runs of spaces and tabs, dropping empty fields.
std::vector<std::string_view> split_whitespace(std::string_view line);

}  // namespace shiftrec
