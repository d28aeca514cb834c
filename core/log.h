// Minimal levelled logging to stderr: "[12.3s] info: message".
// Time is seconds since the process started. Thread-safe.
//
// A LogFile copies the log into a file as well (a run directory's log.txt): the lines logged
// since the last LogFile closed (loading the data comes before the run directory exists),
// then every later one, at info level or finer whatever the console's level is (a sweep's
// runs log at warn to the console; their log.txt still tells the epochs). Progress lines
// (log_progress) stay on the console.
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
// An info line for the console only (progress reports every few seconds).
void log_progress(const std::string& message);

class LogFile {
 public:
  // Appends to `path` (created if missing), starting with a line that stamps the UTC time.
  // Throws UserError naming the path when it cannot be opened. One LogFile at a time.
  explicit LogFile(const std::string& path);
  ~LogFile();
  // An error line for the file only (the error a failed run ends with, which the console
  // gets from main).
  void append_error(const std::string& message);
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
};

// Seconds since process start (monotonic clock).
double seconds_since_start();

}  // namespace shiftrec
