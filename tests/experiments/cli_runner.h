// Runs the shiftrec binary the way a user would, capturing exit status and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/fixtures.h"

namespace shiftrec::testing {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

// `arguments` is appended to the binary's path as shell words; `prefix` (e.g. a `timeout`
// command) goes before it.
inline CliResult run_cli(const std::string& arguments, const TempDir& scratch,
                         const std::string& prefix = "") {
  const std::string out = scratch.file("cli.stdout"), err = scratch.file("cli.stderr");
  const std::string command = prefix + " " + std::string(SHIFTREC_BINARY) + " " + arguments + " >" +
                              out + " 2>" + err + " </dev/null";
  const int raw = std::system(command.c_str());
  CliResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

// How many times `part` occurs in `text`.
inline int count_of(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

inline std::string source_path(const std::string& relative) {
  return std::string(SHIFTREC_SOURCE_DIR) + "/" + relative;
}

}  // namespace shiftrec::testing
