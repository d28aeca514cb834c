// Files written so that a crash never leaves a half-written file under the final name:
// the content goes to "<path>.tmp-<pid>" in the same folder, is flushed and fsync'ed, then
// renamed over <path>.
#pragma once

#include <string>

namespace shiftrec {

// Throws UserError naming the path when the folder is not writable or the disk is full.
void write_file_atomically(const std::string& path, const std::string& content);

// Appends one line (a '\n' is added) and flushes — for logs such as metrics.jsonl, where
// every complete line is a valid record.
void append_line(const std::string& path, const std::string& line);

}  // namespace shiftrec
