// JSON read from files and lines users give us (attribute maps, results.json, metrics.jsonl,
// recommend requests). Nesting is bounded — nlohmann's value tree is built and printed
// recursively, so a file nested 100,000 levels deep would overflow the stack — and values are
// echoed in messages only as a short excerpt.
#pragma once

#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace shiftrec {

constexpr int kMaxJsonDepth = 64;

// Throws UserError "<source>: invalid JSON at byte N: <reason>" or "<source>: JSON nested
// deeper than 64 levels (at byte N)".
nlohmann::json parse_json(const std::string& text, const std::string& source);
nlohmann::json parse_json(std::istream& in, const std::string& source);

// `value` as JSON text, cut to `limit` characters ("..." marks the cut).
std::string json_excerpt(const nlohmann::json& value, size_t limit = 80);

}  // namespace shiftrec
