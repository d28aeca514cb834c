// Small string helpers shared by error messages and parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shiftrec {

// Levenshtein distance between two strings (insert, delete, substitute each cost 1).
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `given` by edit distance, or "" when none is close enough
// (distance above max(2, given.size() / 2)) or the list is empty.
std::string nearest_name(const std::string& given, const std::vector<std::string>& candidates);

// "a, b, c" — for listing known names in error messages.
std::string join(const std::vector<std::string>& parts, const std::string& separator = ", ");

// Splits on every occurrence of `separator`; "a..b" with '.' gives {"a", "", "b"}.
std::vector<std::string> split(const std::string& text, char separator);

// `text` cut to `limit` characters ("..." marks the cut): how a user's value is echoed in a
// message, so a 50 MB value never becomes a 50 MB error line.
std::string excerpt(std::string_view text, size_t limit = 60);

// The byte offset of the first byte that does not belong to well-formed UTF-8 (overlong
// forms, surrogates and code points past U+10FFFF included), or npos when `text` is valid.
size_t invalid_utf8_at(std::string_view text);

// `text` as a TOML basic string, quotes included ("a\"b" for a"b) — for overrides built in
// code from paths.
std::string toml_quoted(const std::string& text);

// 64-bit FNV-1a of `text`, as 16 hex digits (config hashes, fingerprints).
std::string fnv1a_hex(const std::string& text);

}  // namespace shiftrec
