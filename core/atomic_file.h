// Files written so that a crash never leaves a half-written file under the final name:
// the content goes to "<path>.tmp-<pid>" in the same folder, is flushed and fsync'ed, then
// renamed over <path>.
#pragma once

#include <ostream>
#include <string>

namespace shiftrec {

// Throws UserError naming the path when the folder is not writable or the disk is full.
void write_file_atomically(const std::string& path, const std::string& content);

// Streams a large file to "<path>.tmp-<pid>" and renames it over <path> on commit(); a
// writer destroyed without commit() removes the temporary file.
//   AtomicWriter out(path);
//   out.stream() << ...;
//   out.commit();
class AtomicWriter {
 public:
  explicit AtomicWriter(std::string path);  // throws UserError when it cannot create the file
  ~AtomicWriter();
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;
  std::ostream& stream();
  void commit();  // throws UserError when writing, flushing or renaming failed

 private:
  std::string path_, temporary_;
  struct State;
  State* state_;
};

// "<path>.tmp-<pid>": where a file is written before it is published under <path>.
std::string temporary_path(const std::string& path);
// Publishes a written and closed temporary file: fsync, then rename over `path`. On failure
// the temporary is removed and the UserError names `path` and the OS reason.
void publish_temporary(const std::string& temporary, const std::string& path);

// Appends one line (a '\n' is added) and flushes — for logs such as metrics.jsonl, where
// every complete line is a valid record.
void append_line(const std::string& path, const std::string& line);

}  // namespace shiftrec
