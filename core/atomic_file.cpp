#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <streambuf>
#include <vector>

#include "core/error.h"
#include "core/write_fault.h"

namespace shiftrec {
namespace {

// Writes all of [data, data + size) to `fd`; 0, or the errno that stopped it. `final_path`
// is the file's published name (what the fault hook and messages speak of).
int write_all(int fd, const char* data, size_t size, const std::string& final_path) {
  size_t written = 0;
  while (written < size) {
    int injected = 0;
    const size_t allowed = bytes_allowed_by_fault(final_path, size - written, injected);
    if (allowed == 0) return injected;
    const ssize_t n = ::write(fd, data + written, allowed);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    written += static_cast<size_t>(n);
  }
  return 0;
}

// Opens "<path>.tmp-<pid>" for writing; throws the one message naming `path`.
int create_temporary(const std::string& path, const std::string& temporary) {
  if (const int injected = injected_create_error(path)) throw_write_error(path, injected);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_write_error(path, errno);
  return fd;
}

// fsync + close + rename over `path`; on any failure the temporary is removed and the error
// names `path`. Closes `fd` in every case.
void publish(int fd, const std::string& temporary, const std::string& path) {
  int error = ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw_write_error(path, error);
  }
}

bool is_stale_temporary(const std::string& name) {
  const size_t mark = name.rfind(".tmp-");
  if (mark == std::string::npos || mark + 5 == name.size()) return false;
  pid_t pid = 0;
  for (size_t i = mark + 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || pid > 1000000000) return false;
    pid = pid * 10 + (name[i] - '0');
  }
  if (pid == ::getpid()) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace

// Named (not anonymous): AtomicWriter::State, a class with linkage, holds one.
namespace atomic_file_internal {

// An output buffer over a file descriptor that remembers the first failed write instead of
// throwing (a std::ostream turns a throw into badbit anyway).
class FileBuffer : public std::streambuf {
 public:
  FileBuffer(int fd, const std::string& final_path)
      : fd_(fd), final_path_(final_path), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (drain() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() == 0 ? 0 : -1; }

 private:
  int drain() {
    if (error_ == 0 && pptr() > pbase()) {
      error_ = write_all(fd_, pbase(), static_cast<size_t>(pptr() - pbase()), final_path_);
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_;
  }

  int fd_;
  const std::string& final_path_;
  std::vector<char> buffer_;
  int error_ = 0;
};

}  // namespace atomic_file_internal

void throw_write_error(const std::string& path, int error) {
  throw UserError("cannot write " + path + ": " + std::strerror(error));
}

std::string temporary_path(const std::string& path) {
  return path + ".tmp-" + std::to_string(::getpid());
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = temporary_path(path);
  const int fd = create_temporary(path, temporary);
  if (const int error = write_all(fd, content.data(), content.size(), path)) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw_write_error(path, error);
  }
  publish(fd, temporary, path);
}

struct AtomicWriter::State {
  std::string path, temporary;
  int fd = -1;
  atomic_file_internal::FileBuffer buffer;
  std::ostream out;
  State(std::string p, std::string t, int f)
      : path(std::move(p)), temporary(std::move(t)), fd(f), buffer(fd, path), out(&buffer) {}
};

AtomicWriter::AtomicWriter(std::string path) {
  std::string temporary = temporary_path(path);
  const int fd = create_temporary(path, temporary);
  state_ = new State(std::move(path), std::move(temporary), fd);
}

AtomicWriter::~AtomicWriter() {
  if (state_->fd >= 0) {  // not committed: drop what was written
    ::close(state_->fd);
    ::unlink(state_->temporary.c_str());
  }
  delete state_;
}

std::ostream& AtomicWriter::stream() { return state_->out; }

void AtomicWriter::commit() {
  state_->out.flush();
  const int fd = state_->fd;
  state_->fd = -1;  // closed below on every path
  if (state_->buffer.error() != 0 || !state_->out) {
    ::close(fd);
    ::unlink(state_->temporary.c_str());
    throw_write_error(state_->path, state_->buffer.error() != 0 ? state_->buffer.error() : EIO);
  }
  publish(fd, state_->temporary, state_->path);
}

int remove_stale_temporaries(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int removed = 0;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_stale_temporary(it->path().filename().string())) continue;
    std::error_code remove_error;
    if (fs::remove(it->path(), remove_error)) ++removed;
  }
  return removed;
}

void append_line(const std::string& path, const std::string& line) {
  if (const int injected = injected_create_error(path)) throw_write_error(path, injected);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_write_error(path, errno);
  const off_t before = ::lseek(fd, 0, SEEK_END);
  const std::string record = line + "\n";
  int error = write_all(fd, record.data(), record.size(), path);
  if (error != 0 && before >= 0) {
    // best effort: if even this fails, readers of such logs skip a line without its newline
    [[maybe_unused]] const int cut = ::ftruncate(fd, before);
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) throw_write_error(path, error);
}

}  // namespace shiftrec
