#include "core/log.h"

#include <chrono>
#include <cstdio>
#include <mutex>

#include "core/error.h"

namespace shiftrec {
namespace {

const auto kStart = std::chrono::steady_clock::now();
LogLevel g_level = LogLevel::kInfo;
std::mutex g_mutex;

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
  if (level < g_level) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "[%7.1fs] %s: %s\n", seconds_since_start(), level_name(level),
               message.c_str());
  std::fflush(stderr);
}

}  // namespace shiftrec
