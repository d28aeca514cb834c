#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace shiftrec {
namespace {

void write_all(int fd, const std::string& content, const std::string& path) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw UserError("cannot write " + path + ": " + reason);
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace

std::string temporary_path(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void publish_temporary(const std::string& temporary, const std::string& path) {
  const int fd = ::open(temporary.c_str(), O_RDONLY);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const std::string sync_reason = synced ? "" : std::strerror(errno);
  if (fd >= 0) ::close(fd);
  if (!synced) {
    ::unlink(temporary.c_str());
    throw UserError("cannot write " + path + ": " + sync_reason);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    throw UserError("cannot write " + path + ": " + reason);
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = temporary_path(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw UserError("cannot create " + temporary + ": " + std::strerror(errno));
  try {
    write_all(fd, content, temporary);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    throw UserError("cannot flush " + temporary + ": " + reason);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    throw UserError("cannot rename " + temporary + " to " + path + ": " + reason);
  }
}

struct AtomicWriter::State {
  std::ofstream out;
  bool committed = false;
};

AtomicWriter::AtomicWriter(std::string path)
    : path_(std::move(path)), temporary_(temporary_path(path_)), state_(new State) {
  state_->out.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!state_->out) {
    delete state_;
    throw UserError("cannot create " + temporary_ + ": " + std::strerror(errno));
  }
}

AtomicWriter::~AtomicWriter() {
  if (!state_->committed) {
    state_->out.close();
    ::unlink(temporary_.c_str());
  }
  delete state_;
}

std::ostream& AtomicWriter::stream() { return state_->out; }

void AtomicWriter::commit() {
  state_->out.flush();
  const bool written = static_cast<bool>(state_->out);
  state_->out.close();
  if (!written || state_->out.fail()) throw UserError("cannot write " + temporary_);
  state_->committed = true;  // published, or removed by publish_temporary
  publish_temporary(temporary_, path_);
}

void append_line(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw UserError("cannot open " + path + ": " + std::strerror(errno));
  write_all(fd, line + "\n", path);
  if (::close(fd) != 0) throw UserError("cannot close " + path + ": " + std::strerror(errno));
}

}  // namespace shiftrec
