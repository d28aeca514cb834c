#include "datasets/text_file.h"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace shiftrec {

TextFile::TextFile(std::string path) : path_(std::move(path)) {
  handle_ = gzopen(path_.c_str(), "rb");
  if (handle_ == nullptr) throw UserError(path_ + ": cannot open (missing or unreadable)");
  gzbuffer(static_cast<gzFile>(handle_), 1 << 17);
}

TextFile::~TextFile() {
  if (handle_ != nullptr) gzclose(static_cast<gzFile>(handle_));
}

bool TextFile::next_line(std::string& line) {
  line.clear();
  char buffer[1 << 14];
  bool any = false;
  while (true) {
    char* got = gzgets(static_cast<gzFile>(handle_), buffer, sizeof(buffer));
    if (got == nullptr) {
      int code = 0;
      const char* message = gzerror(static_cast<gzFile>(handle_), &code);
      if (code != Z_OK && code != Z_STREAM_END) {
        throw UserError(path_ + ":" + std::to_string(line_number_ + 1) +
                        ": cannot read (corrupt or truncated compressed data: " + message + ")");
      }
      break;
    }
    any = true;
    const size_t n = std::strlen(got);
    line.append(got, n);
    if (n > 0 && got[n - 1] == '\n') break;
  }
  if (!any) return false;
  ++line_number_;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return true;
}

void TextFile::fail(const std::string& message) const {
  throw UserError(path_ + ":" + std::to_string(line_number_) + ": " + message);
}

int64_t TextFile::parse_int(std::string_view field, const std::string& what) const {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
    fail("\"" + std::string(field) + "\" is not " + what + " (expected an integer)");
  }
  return value;
}

double TextFile::parse_double(std::string_view field, const std::string& what) const {
  const std::string text(field);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(value)) {
    fail("\"" + text + "\" is not " + what + " (expected a number)");
  }
  return value;
}

std::vector<std::string_view> split_fields(std::string_view line, std::string_view delimiter) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(delimiter, start);
    if (end == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, end - start));
    start = end + delimiter.size();
  }
}

std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace shiftrec
