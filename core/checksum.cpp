#include "core/checksum.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace shiftrec {
namespace {

constexpr uint64_t kChecksumStart = 0x9E3779B97F4A7C15ull;

// Folds [data, data + size) into `hash`: whole 8-byte words, then the tail byte by byte (only
// the last block of a file has one, the others being multiples of 8).
uint64_t fold(uint64_t hash, const unsigned char* data, size_t size) {
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash = (hash ^ word) * 0x100000001B3ull;
    hash ^= hash >> 29;
  }
  for (; i < size; ++i) hash = (hash ^ data[i]) * 0x100000001B3ull;
  return hash;
}

}  // namespace

std::string Checksum::hex() const {
  char text[48];
  std::snprintf(text, sizeof text, "%016llx:%llu", static_cast<unsigned long long>(hash),
                static_cast<unsigned long long>(bytes));
  return text;
}

Checksum checksum_of(const std::string& bytes) {
  return {fold(kChecksumStart, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
          bytes.size()};
}

std::optional<Checksum> file_checksum(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::nullopt;
  std::vector<unsigned char> buffer(1 << 20);
  Checksum sum{kChecksumStart, 0};
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    sum.hash = fold(sum.hash, buffer.data(), got);
    sum.bytes += got;
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return std::nullopt;
  return sum;
}

}  // namespace shiftrec
