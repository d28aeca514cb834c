#include "core/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace shiftrec {
namespace {

// posix_spawn's settings for the child, released however the start ends.
struct SpawnSettings {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSettings() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSettings() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

}  // namespace

std::string this_executable() {
  std::error_code error;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw UserError("cannot find this program's executable: " + error.message());
  return path.string();
}

ChildProcess::ChildProcess(const std::string& executable,
                           const std::vector<std::string>& arguments) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw UserError("cannot start " + executable + ": " + std::strerror(errno));
  }
  SpawnSettings settings;
  // fd 2 becomes the pipe's write end (dup2 clears close-on-exec on it); both pipe ends
  // themselves close at exec.
  posix_spawn_file_actions_adddup2(&settings.actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&settings.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&settings.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&settings.attributes, &defaults);
  posix_spawnattr_setsigmask(&settings.attributes, &empty);
  posix_spawnattr_setpgroup(&settings.attributes, 0);  // its own group: see the header
  posix_spawnattr_setflags(&settings.attributes,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(executable.c_str()));
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const int failed = posix_spawn(&pid_, executable.c_str(), &settings.actions, &settings.attributes,
                                 argv.data(), environ);
  close(pipe_fds[1]);
  if (failed != 0) {
    close(pipe_fds[0]);
    throw UserError("cannot start " + executable + ": " + std::strerror(failed));
  }
  stderr_fd_ = pipe_fds[0];
  fcntl(stderr_fd_, F_SETFL, fcntl(stderr_fd_, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (!ended_ && pid_ > 0) {
    terminate();
    wait();
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void ChildProcess::drain_stderr() {
  if (stderr_fd_ < 0) return;
  char buffer[4096];
  for (;;) {
    const ssize_t got = read(stderr_fd_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {  // nothing more for now (EAGAIN), or the child closed its end
      if (got == 0) {
        close(stderr_fd_);
        stderr_fd_ = -1;
      }
      break;
    }
    partial_line_.append(buffer, static_cast<size_t>(got));
    size_t line_end;
    while ((line_end = partial_line_.find('\n')) != std::string::npos) {
      if (line_end > 0) last_line_ = partial_line_.substr(0, line_end);
      partial_line_.erase(0, line_end + 1);
    }
  }
}

void ChildProcess::reap(int status) {
  ended_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  drain_stderr();                // what it wrote just before it ended
  if (!partial_line_.empty()) {  // a last line without its newline
    last_line_ = partial_line_;
    partial_line_.clear();
  }
}

bool ChildProcess::running() {
  if (ended_) return false;
  drain_stderr();
  int status = 0;
  pid_t got;
  do {
    got = waitpid(pid_, &status, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == pid_) {
    reap(status);
  } else if (got < 0) {  // reaped elsewhere: nothing more can be known about how it ended
    ended_ = true;
    exit_code_ = 128;
  }
  return !ended_;
}

void ChildProcess::terminate() {
  if (!ended_) kill(pid_, SIGTERM);
}

void ChildProcess::wait() {
  while (running()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace shiftrec
