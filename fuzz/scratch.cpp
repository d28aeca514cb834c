#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

std::string scratch_file(const std::string& name, const uint8_t* data, size_t size) {
  static const std::string folder = [] {
    const std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    const std::string path = base + "/shiftrec-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(path);
    return path;
  }();
  const std::string path = folder + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace shiftrec::fuzz
