// A whole file read into memory.
#pragma once

#include <optional>
#include <string>

namespace shiftrec {

// The file's bytes; nothing when it cannot be opened or read (the caller names what it is).
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace shiftrec
