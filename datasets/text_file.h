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

  // Next line without its line ending; false at the end. Throws on a read error or a
  // truncated gzip stream.
  bool next_line(std::string& line);
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

  // Throws UserError "<path>:<line>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  int64_t parse_int(std::string_view field, const std::string& what) const;
  double parse_double(std::string_view field, const std::string& what) const;

 private:
  std::string path_;
  void* handle_ = nullptr;  // gzFile
  int64_t line_number_ = 0;
};

// Splits on every occurrence of `delimiter` (no quoting); "a,,b" gives three fields.
std::vector<std::string_view> split_fields(std::string_view line, std::string_view delimiter);
// Splits on runs of spaces and tabs, dropping empty fields.
std::vector<std::string_view> split_whitespace(std::string_view line);

}  // namespace shiftrec
