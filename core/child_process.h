// A child process started without waiting for it: polled, stopped, and asked how it ended.
//
// Its stdout goes to /dev/null; its stderr is read through a pipe while it runs and only the
// last line is kept — the one error line a failing shiftrec command ends with. It runs in its
// own process group, so a Ctrl-C at the terminal reaches only the parent, which decides what
// the children get (one SIGTERM: they stop cleanly; a second one would kill them outright).
//   ChildProcess child(this_executable(), {"train", "--config", "a.toml"});
//   while (child.running()) sleep(...);
//   if (child.exit_code() != 0) report(child.last_line());
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace shiftrec {

// The running program's own executable (/proc/self/exe resolved).
std::string this_executable();

class ChildProcess {
 public:
  // Starts `executable` with `arguments` (argv[1..]); throws UserError when it cannot.
  ChildProcess(const std::string& executable, const std::vector<std::string>& arguments);
  ~ChildProcess();  // a child still running is sent SIGTERM and waited for
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads what stderr has so far and reports whether the child is still running.
  bool running();
  void terminate();  // sends SIGTERM (once running() is false, nothing)
  void wait();       // blocks until the child has ended

  // Once ended: its exit status, or 128 + the signal that ended it (as a shell reports it).
  int exit_code() const { return exit_code_; }
  // The last non-empty line it wrote to stderr (without the newline).
  const std::string& last_line() const { return last_line_; }

 private:
  void drain_stderr();
  void reap(int status);

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  bool ended_ = false;
  int exit_code_ = -1;
  std::string partial_line_, last_line_;
};

}  // namespace shiftrec
