#include "core/write_fault.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <vector>

#include "core/error.h"

namespace shiftrec {
namespace {

struct WriteFault {
  int error = 0;
  size_t after_bytes = 0;
  std::vector<std::string> names;  // empty: every file
  size_t written = 0;
};

int errno_named(const std::string& name) {
  if (name == "ENOSPC") return ENOSPC;
  if (name == "EFBIG") return EFBIG;
  if (name == "EROFS") return EROFS;
  if (name == "EIO") return EIO;
  return 0;
}

std::optional<WriteFault> parse_fault(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const size_t first = text.find(':');
  const size_t second = first == std::string::npos ? first : text.find(':', first + 1);
  WriteFault fault;
  fault.error = errno_named(text.substr(0, first));
  const std::string bytes =
      first == std::string::npos
          ? ""
          : text.substr(first + 1, second == std::string::npos ? second : second - first - 1);
  if (second != std::string::npos) {
    for (size_t start = second + 1; start <= text.size();) {
      const size_t comma = std::min(text.find(',', start), text.size());
      if (comma > start) fault.names.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
  }
  char* end = nullptr;
  const unsigned long long count = std::strtoull(bytes.c_str(), &end, 10);
  if (fault.error == 0 || bytes.empty() || *end != '\0') {
    throw UserError("SHIFTREC_WRITE_FAULT=\"" + text.substr(0, 200) +
                    "\": expected ENOSPC|EFBIG|EROFS|EIO:BYTES[:NAME[,NAME...]]");
  }
  fault.after_bytes = static_cast<size_t>(count);
  return fault;
}

// Read from the environment on first use, unless a test set one first.
std::optional<WriteFault>& configured_fault() {
  static std::optional<WriteFault> fault = [] {
    const char* raw = std::getenv("SHIFTREC_WRITE_FAULT");
    return parse_fault(raw == nullptr ? "" : raw);
  }();
  return fault;
}

std::mutex g_fault_mutex;

WriteFault* fault_for(const std::string& final_path) {
  auto& fault = configured_fault();
  if (!fault) return nullptr;
  if (fault->names.empty()) return &*fault;
  for (const auto& name : fault->names) {
    if (final_path.find(name) != std::string::npos) return &*fault;
  }
  return nullptr;
}

}  // namespace

void set_write_fault(const std::string& spec) {
  std::optional<WriteFault> fault = parse_fault(spec);
  std::lock_guard<std::mutex> lock(g_fault_mutex);
  configured_fault() = std::move(fault);
}

int injected_create_error(const std::string& final_path) {
  std::lock_guard<std::mutex> lock(g_fault_mutex);
  const WriteFault* fault = fault_for(final_path);
  return fault != nullptr && fault->written >= fault->after_bytes ? fault->error : 0;
}

size_t bytes_allowed_by_fault(const std::string& final_path, size_t wanted, int& error) {
  error = 0;
  std::lock_guard<std::mutex> lock(g_fault_mutex);
  WriteFault* fault = fault_for(final_path);
  if (fault == nullptr) return wanted;
  const size_t left = fault->after_bytes > fault->written ? fault->after_bytes - fault->written : 0;
  const size_t allowed = wanted < left ? wanted : left;
  fault->written += allowed;
  if (allowed < wanted) error = fault->error;
  return allowed;
}

}  // namespace shiftrec
