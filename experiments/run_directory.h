// A run directory that appears under its final name only when the run completed.
//
// While running, files go to "<path>.partial/"; commit() renames it to <path>. A run that
// throws is moved to "<path>.failed/" with the error in error.txt (its metrics.jsonl stays
// readable), so <path> never holds a half-written run.
#pragma once

#include <string>

namespace shiftrec {

class RunDirectory {
 public:
  // Throws UserError when <path> already exists or cannot be created.
  explicit RunDirectory(std::string path);
  ~RunDirectory();  // a run neither committed nor failed is treated as failed
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Path of a file inside the working folder.
  std::string file(const std::string& name) const { return working_ + "/" + name; }
  const std::string& final_path() const { return path_; }

  void commit();
  void fail(const std::string& error);

 private:
  std::string path_;
  std::string working_;
  bool done_ = false;
};

// "runs/<config stem>-<UTC yyyymmdd-hhmmss>".
std::string default_run_path(const std::string& config_path);

}  // namespace shiftrec
