#include "experiments/run_directory.h"

#include <ctime>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"

namespace shiftrec {
namespace fs = std::filesystem;

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  working_ = path_ + ".partial";
  if (fs::exists(path_)) {
    throw UserError("run directory " + path_ + " already exists; choose another --out");
  }
  std::error_code ec;
  fs::remove_all(working_, ec);
  fs::create_directories(working_, ec);
  if (ec) throw UserError("cannot create run directory " + working_ + ": " + ec.message());
}

RunDirectory::~RunDirectory() {
  if (!done_) {
    try {
      fail("the run stopped before completing");
    } catch (...) {
    }
  }
}

void RunDirectory::commit() {
  std::error_code ec;
  fs::rename(working_, path_, ec);
  if (ec) throw UserError("cannot rename " + working_ + " to " + path_ + ": " + ec.message());
  done_ = true;
}

void RunDirectory::fail(const std::string& error) {
  done_ = true;
  const std::string failed = path_ + ".failed";
  std::error_code ec;
  fs::remove_all(failed, ec);
  fs::rename(working_, failed, ec);
  if (ec) return;
  write_file_atomically(failed + "/error.txt", error + "\n");
  log_warn("run failed; what it wrote is in " + failed);
}

std::string default_run_path(const std::string& config_path) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &utc);
  return "runs/" + fs::path(config_path).stem().string() + "-" + stamp;
}

}  // namespace shiftrec
