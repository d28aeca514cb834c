// A run directory that appears under its final name only when the run completed.
//
// While running, files go to "<path>.partial/"; commit() renames it to <path>. A run that
// throws is moved to "<path>.failed/" with the error in error.txt (its metrics.jsonl stays
// readable), so <path> never holds a half-written run. A process killed outright leaves
// "<path>.partial/". Either can be reopened to continue the run (`shiftrec resume`).
//
// The working folder is locked (flock) while a process holds it, so a run that is still going
// is never reopened by a second process; the lock dies with the process.
#pragma once

#include <string>

namespace shiftrec {

enum class RunOpen {
  kCreate,  // a new run: <path> must not exist
  kResume,  // a stopped run: `path` is <path>, <path>.partial or <path>.failed
};

class RunDirectory {
 public:
  // kCreate throws UserError when <path> already exists or cannot be created. kResume throws
  // UserError when <path> is already complete, when neither <path>.partial nor <path>.failed
  // exists, or when another process still holds the run.
  explicit RunDirectory(std::string path, RunOpen mode = RunOpen::kCreate);
  ~RunDirectory();  // a run neither committed nor failed is treated as failed
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file inside the working folder.
  std::string file(const std::string& name) const { return working_ + "/" + name; }
  const std::string& final_path() const { return path_; }

  void commit();
  void fail(const std::string& error);

 private:
  void lock();

  std::string path_;
  std::string working_;
  int lock_fd_ = -1;
  bool done_ = false;
};

// "runs/<config stem>-<UTC yyyymmdd-hhmmss>".
std::string default_run_path(const std::string& config_path);

}  // namespace shiftrec
