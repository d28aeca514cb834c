#include "experiments/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"

namespace shiftrec {
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

RunDirectory::RunDirectory(std::string path, RunOpen mode) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  std::string given;  // the stopped run's folder, when resuming
  if (mode == RunOpen::kResume) {
    for (const std::string suffix : {".partial", ".failed"}) {
      if (ends_with(path_, suffix)) {
        given = path_;
        path_.resize(path_.size() - suffix.size());
      }
    }
  }
  working_ = path_ + ".partial";
  if (fs::exists(path_)) {
    throw UserError("run directory " + path_ +
                    (mode == RunOpen::kCreate ? " already exists; choose another --out"
                                              : " is already complete; nothing to resume"));
  }
  std::error_code ec;
  if (mode == RunOpen::kCreate) {
    if (fs::exists(working_)) {  // a stopped run's leftovers are replaced, a live run is not
      lock();
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    fs::remove_all(working_, ec);
    fs::create_directories(working_, ec);
    if (ec) throw UserError("cannot create run directory " + working_ + ": " + ec.message());
    lock();
    return;
  }
  const std::string failed = path_ + ".failed";
  if (fs::exists(working_) && fs::exists(failed)) {  // which one is meant is not ours to guess
    throw UserError(path_ + " has both " + working_ + " and " + failed +
                    "; remove the one not to resume");
  }
  if (given.empty()) given = fs::exists(working_) ? working_ : failed;
  if (!fs::is_directory(given)) {
    throw UserError("no stopped run at " + path_ + " (neither " + working_ + " nor " + failed +
                    " exists)");
  }
  if (given == failed) {
    fs::rename(failed, working_, ec);
    if (ec) throw UserError("cannot rename " + failed + " to " + working_ + ": " + ec.message());
    fs::remove(working_ + "/error.txt", ec);
  }
  lock();
  // Half-written files of a killed process hold space the resume may need.
  if (const int removed = remove_stale_temporaries(working_)) {
    log_info("removed " + std::to_string(removed) +
             " half-written file(s) a stopped process left in " + working_);
  }
}

void RunDirectory::lock() {
  lock_fd_ = ::open(working_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) throw UserError("cannot open run directory " + working_);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    done_ = true;  // another process owns the folder: leave it alone
    throw UserError("run " + path_ + " is still running in another process (" + working_ +
                    " is locked)");
  }
}

RunDirectory::~RunDirectory() {
  if (!done_) {
    try {
      fail("the run stopped before completing");
    } catch (...) {
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void RunDirectory::commit() {
  remove_stale_temporaries(working_);  // a finished run holds only finished files
  std::error_code ec;
  fs::rename(working_, path_, ec);
  if (ec) throw UserError("cannot rename " + working_ + " to " + path_ + ": " + ec.message());
  done_ = true;
}

void RunDirectory::fail(const std::string& error) {
  if (done_) return;  // already committed or failed: never touch the folder twice
  done_ = true;
  const std::string failed = path_ + ".failed";
  std::error_code ec;
  fs::remove_all(failed, ec);
  fs::rename(working_, failed, ec);
  if (ec) return;
  try {
    write_file_atomically(failed + "/error.txt", error + "\n");
  } catch (const UserError& e) {  // the run's own error is what the user needs: keep it
    log_warn(std::string(e.what()) + "; the run's own error follows");
  }
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
