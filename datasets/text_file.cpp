#include "datasets/text_file.h"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/text.h"

namespace shiftrec {

TextFile::TextFile(std::string path) : path_(std::move(path)) {
  handle_ = gzopen(path_.c_str(), "rb");
  if (handle_ == nullptr) throw UserError(path_ + ": cannot open (missing or unreadable)");
  gzbuffer(static_cast<gzFile>(handle_), 1 << 17);
}

TextFile::~TextFile() {
  if (handle_ != nullptr) gzclose(static_cast<gzFile>(handle_));
}

bool TextFile::refill() {
  buffer_.erase(0, position_);
  position_ = 0;
  const size_t kept = buffer_.size();
  buffer_.resize(kept + (1 << 17));
  const int got = gzread(static_cast<gzFile>(handle_), buffer_.data() + kept,
                         static_cast<unsigned>(buffer_.size() - kept));
  int code = Z_OK;
  const char* message = got > 0 ? "" : gzerror(static_cast<gzFile>(handle_), &code);
  if (got < 0 || (code != Z_OK && code != Z_STREAM_END)) {
    throw UserError(path_ + ":" + std::to_string(line_number_ + 1) +
                    ": cannot read (corrupt or truncated compressed data: " + message + ")");
  }
  buffer_.resize(kept + static_cast<size_t>(got));
  return got > 0;
}

bool TextFile::next_line(std::string& line) {
  constexpr size_t kMaxLine = size_t{1} << 26;  // a "line" past 64 MiB is not text
  size_t end = buffer_.find('\n', position_);
  while (end == std::string::npos) {
    const size_t scanned = buffer_.size() - position_;  // after refill: [0, scanned) searched
    if (scanned > kMaxLine) {
      const bool binary = buffer_.find('\0', position_) != std::string::npos;
      throw UserError(path_ + ":" + std::to_string(line_number_ + 1) + ": a line longer than " +
                      std::to_string(kMaxLine >> 20) + " MiB" +
                      (binary ? " holding NUL bytes (a binary file?)" : " (not a text file?)"));
    }
    if (!refill()) {
      end = buffer_.size();
      break;
    }
    end = buffer_.find('\n', scanned);
  }
  if (position_ >= buffer_.size()) return false;  // nothing left, not even a last line
  line.assign(buffer_, position_, end - position_);
  position_ = std::min(end + 1, buffer_.size());
  ++line_number_;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line_number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  const size_t nul = line.find('\0');
  if (nul != std::string::npos) {
    fail("a NUL byte at column " + std::to_string(nul + 1) +
         " (a binary file, or text damaged by NUL bytes)");
  }
  return true;
}

void TextFile::fail(const std::string& message) const { fail_at(line_number_, message); }

void TextFile::fail_at(int64_t line, const std::string& message) const {
  throw UserError(path_ + ":" + std::to_string(line) + ": " + message);
}

int64_t TextFile::parse_int(std::string_view field, const std::string& what) const {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
    fail("\"" + excerpt(field) + "\" is not " + what + " (expected an integer)");
  }
  return value;
}

int64_t TextFile::parse_timestamp(std::string_view field) const {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (!field.empty() && ec == std::errc() && end == field.data() + field.size()) return value;
  if (ec == std::errc::result_out_of_range) {
    fail("timestamp \"" + excerpt(field) + "\" is beyond the int64 range");
  }
  const double decimal = parse_double(field, "a timestamp");
  // 2^63 is exact in a double; every double below it converts without overflow.
  if (!(decimal > -9223372036854775808.0 && decimal < 9223372036854775808.0)) {
    fail("timestamp \"" + excerpt(field) + "\" is beyond the int64 range");
  }
  return static_cast<int64_t>(std::llround(decimal));
}

double TextFile::parse_double(std::string_view field, const std::string& what) const {
  const std::string text(field);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(value)) {
    fail("\"" + excerpt(text) + "\" is not " + what + " (expected a number)");
  }
  return value;
}

std::vector<std::string_view> split_fields(std::string_view line, std::string_view delimiter) {
  // An empty delimiter would be found at every position without moving on: never loop on it.
  SHIFTREC_ASSERT(!delimiter.empty(), "split_fields with an empty delimiter");
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
