#include "core/log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
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
    std::fputs(line.c_str(), g_file);
    std::fflush(g_file);
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
  if (file == nullptr) throw UserError(path + ": cannot open the log file for writing");
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", std::gmtime(&now));
  std::lock_guard<std::mutex> lock(g_mutex);
  SHIFTREC_ASSERT(g_file == nullptr, "a second LogFile while one is open");
  std::fprintf(file, "--- %s UTC ---\n", when);
  for (const auto& line : g_pending) std::fputs(line.c_str(), file);
  g_pending.clear();
  std::fflush(file);
  g_file = file;
}

void LogFile::append_error(const std::string& message) {
  const std::string line = log_line(LogLevel::kError, message);
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fputs(line.c_str(), g_file);
  std::fflush(g_file);
}

LogFile::~LogFile() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fclose(g_file);
  g_file = nullptr;
}

}  // namespace shiftrec
