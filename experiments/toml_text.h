// A TOML value as text: the right-hand side of an override, or a label in a run name or a
// leaderboard row (sweep.cpp, leaderboard.cpp).
#pragma once

#include <sstream>
#include <string>

#include <toml++/toml.h>

namespace shiftrec {

// As TOML writes it: 'sasrec', 0.5, [ 5, 10 ].
inline std::string toml_text(const toml::node& node) {
  std::ostringstream text;
  node.visit([&](const auto& value) { text << value; });
  return text.str();
}

// The same with a string unquoted: sasrec.
inline std::string plain_text(const toml::node& node) {
  return node.is_string() ? node.as_string()->get() : toml_text(node);
}

}  // namespace shiftrec
