// Error kinds used across shiftrec.
//
// Two kinds, as in faiss:
//   * UserError (and ConfigError) — a mistake in what the user gave us: a value, a file, a
//     name. The message names the value given and the value expected; ConfigError also
//     carries the file:line:col of the offending key. The CLI's main() catches these,
//     prints one line and exits non-zero.
//   * InternalError — a broken invariant inside shiftrec, raised by SHIFTREC_ASSERT.
//     Reaching one is a bug in shiftrec, not in the user's input.
#pragma once

#include <stdexcept>
#include <string>

namespace shiftrec {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
};

// A configuration mistake. `location` is "file:line:col" (or "--set key=value" for a
// command-line override, or "default" when the key was not given at all).
class ConfigError : public UserError {
 public:
  ConfigError(const std::string& location, const std::string& message)
      : UserError(location + ": " + message), location_(location) {}
  const std::string& location() const { return location_; }

 private:
  std::string location_;
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

[[noreturn]] void throw_internal_error(const char* file, int line, const char* condition,
                                       const std::string& message);

}  // namespace shiftrec

// Checks an internal invariant; failure is a shiftrec bug, reported with file and line.
#define SHIFTREC_ASSERT(cond, msg)                                        \
  do {                                                                    \
    if (!(cond)) {                                                        \
      ::shiftrec::throw_internal_error(__FILE__, __LINE__, #cond, (msg)); \
    }                                                                     \
  } while (0)
