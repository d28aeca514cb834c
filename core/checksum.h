// A fast 64-bit checksum of bytes, 8 bytes per step (byte-wise FNV-1a made the data cache's hit
// path slower than reading the cached store itself): the data fingerprint of source files, and
// the seal that lets a damaged cache file be refused before HDF5 parses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shiftrec {

struct Checksum {
  uint64_t hash = 0;
  uint64_t bytes = 0;
  std::string hex() const;  // 16 hex digits of hash, then ":" and the byte count
};

Checksum checksum_of(const std::string& bytes);
// Empty when the file cannot be opened or read.
std::optional<Checksum> file_checksum(const std::string& path);

}  // namespace shiftrec
