// Runs the shiftrec binary the way a user would, capturing exit status and output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

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

// The rows of `data generate`'s interactions.csv (user,item,timestamp,...), in file order, each
// with its line as written.
struct GeneratedRow {
  std::string user, item;
  int64_t time = 0;
  std::string line;
};
inline std::vector<GeneratedRow> generated_rows(const std::string& csv_path) {
  std::vector<GeneratedRow> rows;
  std::istringstream lines(read_text(csv_path));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    GeneratedRow row;
    std::string time;
    std::getline(fields, row.user, ',');
    std::getline(fields, row.item, ',');
    std::getline(fields, time, ',');
    row.time = std::stoll(time);
    row.line = line;
    rows.push_back(std::move(row));
  }
  return rows;
}

inline std::string source_path(const std::string& relative) {
  return std::string(SHIFTREC_SOURCE_DIR) + "/" + relative;
}

}  // namespace shiftrec::testing
