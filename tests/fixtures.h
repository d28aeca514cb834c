// Small fixtures every test makes for itself (no test reads ../shared).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "datasets/synthetic.h"

namespace shiftrec::testing {

// A fresh empty folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "shiftrec-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs a shell command and returns what it printed on stdout; `status` gets its exit status.
inline std::string command_output(const std::string& command, int* status = nullptr) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  for (size_t n; pipe != nullptr && (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) {
    out.append(buffer, n);
  }
  const int raw = pipe != nullptr ? ::pclose(pipe) : -1;
  if (status != nullptr) *status = raw;
  return out;
}

// 50 users, 30 items, 5 categories: big enough for every code path, fast for every test.
inline SyntheticOptions tiny_synthetic_options() {
  SyntheticOptions o;
  o.users = 50;
  o.items = 30;
  o.categories = 5;
  o.graph_degree = 2;
  o.active_interests = 2;
  o.min_length = 4;
  o.max_length = 12;
  o.seed = 7;
  return o;
}

}  // namespace shiftrec::testing
