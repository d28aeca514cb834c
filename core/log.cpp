#include "core/log.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"

namespace shiftrec {
namespace {

const auto kStart = std::chrono::steady_clock::now();
LogLevel g_level = LogLevel::kInfo;
std::mutex g_mutex;
std::FILE* g_file = nullptr;         // the open LogFile's, if any
std::string g_file_path;             // its path, for the one warning when writing it fails
bool g_file_failed = false;          // that warning was given: the console alone logs now
std::vector<std::string> g_pending;  // lines for the next LogFile (while none is open)
constexpr size_t kMaxPending = 10000;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    default:
      return "off";
  }
}

// "[   12.3s] info: message\n"
std::string log_line(LogLevel level, const std::string& message) {
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "[%7.1fs] ", seconds_since_start());
  return stamp + std::string(level_name(level)) + ": " + message + "\n";
}

// Appends to the open log file (g_mutex held). A full disk must not stop the run from logging
// or reporting its own error: the first failure is one warning on the console, then the
// console alone has the log.
void write_to_log_file(const std::string& line) {
  if (g_file_failed) return;
  std::fputs(line.c_str(), g_file);
  std::fflush(g_file);
  if (!std::ferror(g_file)) return;
  g_file_failed = true;
  std::fprintf(
      stderr, "%s",
      log_line(LogLevel::kWarn, "cannot write " + g_file_path + ": " + std::strerror(errno) +
                                    "; the log goes to the console only")
          .c_str());
}

}  // namespace

double seconds_since_start() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
}

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

LogLevel parse_log_level(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(LogLevel::kOff); ++i) {
    if (name == level_name(static_cast<LogLevel>(i))) return static_cast<LogLevel>(i);
  }
  throw UserError("unknown log level \"" + name + "\", expected debug, info, warn, error or off");
}

void log_message(LogLevel level, const std::string& message) {
  const bool to_console = level >= g_level;
  const bool to_file = level >= std::min(g_level, LogLevel::kInfo);
  if (!to_console && !to_file) return;
  const std::string line = log_line(level, message);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (to_console) {
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  if (!to_file) return;
  if (g_file != nullptr) {
    write_to_log_file(line);
  } else if (g_pending.size() < kMaxPending) {
    g_pending.push_back(line);
  }
}

void log_progress(const std::string& message) {
  if (LogLevel::kInfo < g_level) return;
  const std::string line = log_line(LogLevel::kInfo, message);
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

LogFile::LogFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) throw UserError("cannot write " + path + ": " + std::strerror(errno));
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", std::gmtime(&now));
  std::lock_guard<std::mutex> lock(g_mutex);
  SHIFTREC_ASSERT(g_file == nullptr, "a second LogFile while one is open");
  g_file = file;
  g_file_path = path;
  g_file_failed = false;
  write_to_log_file(std::string("--- ") + when + " UTC ---\n");
  for (const auto& line : g_pending) write_to_log_file(line);
  g_pending.clear();
}

void LogFile::append_error(const std::string& message) {
  const std::string line = log_line(LogLevel::kError, message);
  std::lock_guard<std::mutex> lock(g_mutex);
  write_to_log_file(line);
}

LogFile::~LogFile() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fclose(g_file);
  g_file = nullptr;
}

}  // namespace shiftrec
