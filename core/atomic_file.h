// The one path every file shiftrec writes goes through, so that a crash never leaves a
// half-written file under its final name and a failed write is one clear error, never an abort.
//
// Content goes to "<path>.tmp-<pid>" in the same folder, is fsync'ed, then renamed over <path>.
// Every failure (creating, writing, flushing, renaming) throws UserError
//   "cannot write <path>: <OS reason>"
// naming the final file, removes the temporary, and leaves any previous <path> untouched.
// Nothing here throws from a destructor. Writes honour the test hook of core/write_fault.h.
#pragma once

#include <ostream>
#include <string>

namespace shiftrec {

// "cannot write <path>: <strerror(error)>".
[[noreturn]] void throw_write_error(const std::string& path, int error);

void write_file_atomically(const std::string& path, const std::string& content);

// Streams a large file to "<path>.tmp-<pid>" and renames it over <path> on commit(); a
// writer destroyed without commit() removes the temporary file. A failed write is remembered
// (the stream goes bad) and reported by commit().
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
  struct State;
  State* state_;
};

// "<path>.tmp-<pid>": where a file is written before it is published under <path>.
std::string temporary_path(const std::string& path);

// Removes "*.tmp-<pid>" files in `folder` left by processes that no longer run (a killed
// run's half-written files, which would otherwise eat the space a resume needs). Returns how
// many it removed; a folder that cannot be listed removes nothing.
int remove_stale_temporaries(const std::string& folder);

// Appends one line (a '\n' is added) — for logs such as metrics.jsonl, where every complete
// line is a valid record. A failed append is cut back off, so no partial line stays behind.
void append_line(const std::string& path, const std::string& line);

}  // namespace shiftrec
