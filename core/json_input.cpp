#include "core/json_input.h"

#include "core/error.h"
#include "core/text.h"

namespace shiftrec {
namespace {

struct TooDeep {};

template <typename Input>
nlohmann::json parse_bounded(Input&& input, const std::string& source) {
  const nlohmann::json::parser_callback_t bounded = [](int depth, nlohmann::json::parse_event_t,
                                                       nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(std::forward<Input>(input), bounded);
  } catch (const TooDeep&) {
    throw UserError(source + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                    " levels");
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " +
                    excerpt(e.what(), 160));
  } catch (const nlohmann::json::exception& e) {  // found by fuzzing: 1e99999 overflows
    throw UserError(source + ": invalid JSON: " + excerpt(e.what(), 160));
  }
}

}  // namespace

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  return parse_bounded(text, source);
}

nlohmann::json parse_json(std::istream& in, const std::string& source) {
  return parse_bounded(in, source);
}

std::string json_excerpt(const nlohmann::json& value, size_t limit) {
  if (value.is_array() || value.is_object()) {  // never print a whole tree
    return std::string(value.is_array() ? "a list" : "an object") + " of " +
           std::to_string(value.size()) + " element(s)";
  }
  return excerpt(value.dump(), limit);
}

}  // namespace shiftrec
