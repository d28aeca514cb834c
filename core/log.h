// Minimal levelled logging to stderr: "[12.3s] info: message".
// Time is seconds since the process started. Thread-safe.
#pragma once

#include <string>

namespace shiftrec {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// "debug", "info", "warn", "error", "off"; throws UserError otherwise.
LogLevel parse_log_level(const std::string& name);
void log_message(LogLevel level, const std::string& message);

inline void log_debug(const std::string& m) { log_message(LogLevel::kDebug, m); }
inline void log_info(const std::string& m) { log_message(LogLevel::kInfo, m); }
inline void log_warn(const std::string& m) { log_message(LogLevel::kWarn, m); }

// Seconds since process start (monotonic clock).
double seconds_since_start();

}  // namespace shiftrec
