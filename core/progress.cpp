#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/log.h"

namespace shiftrec {

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 90.0) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 5400.0) {
    std::snprintf(text, sizeof text, "%.1f min", seconds / 60.0);
  } else {
    std::snprintf(text, sizeof text, "%.1f h", seconds / 3600.0);
  }
  return text;
}

std::string time_left_text(int64_t finished, double elapsed, int64_t remaining, int64_t parallel) {
  const double per_task = elapsed * static_cast<double>(std::max<int64_t>(parallel, 1)) /
                          static_cast<double>(std::max<int64_t>(finished, 1));
  const double left = per_task * static_cast<double>(remaining) /
                      static_cast<double>(std::max<int64_t>(parallel, 1));
  return std::to_string(finished) + " trained in " + duration_text(elapsed) + "; about " +
         duration_text(left) + " left";
}

std::string progress_summary(int64_t done, int64_t total, double elapsed_seconds) {
  char text[96];
  std::snprintf(text, sizeof text, "%lld/%lld (%.0f%%)", static_cast<long long>(done),
                static_cast<long long>(total),
                total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0.0);
  std::string out = text;
  if (done <= 0 || elapsed_seconds <= 0.0) return out;
  const double rate = static_cast<double>(done) / elapsed_seconds;
  std::snprintf(text, sizeof text, ", %.3g/s, ", rate);
  out += text;
  if (done >= total) return out + "in " + duration_text(elapsed_seconds);
  return out + duration_text(static_cast<double>(total - done) / rate) + " left";
}

Progress::Progress(std::string label, int64_t total, double log_interval_seconds)
    : label_(std::move(label)),
      total_(std::max<int64_t>(total, 1)),
      log_interval_(log_interval_seconds),
      started_(seconds_since_start()),
      last_output_(started_),
      terminal_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!finished_ && terminal_ && done_ > 0) std::fputc('\n', stderr);
}

void Progress::advance(int64_t steps, const std::string& status) {
  done_ = std::min(total_, done_ + steps);
  const double now = seconds_since_start();
  const double interval = terminal_ ? 0.1 : log_interval_;
  if (now - last_output_ >= interval) {
    last_output_ = now;
    drew_ = true;
    draw(status, false);
  }
}

void Progress::finish(const std::string& status) {
  if (finished_) return;
  finished_ = true;
  done_ = total_;
  // Off a terminal, a loop quick enough to print nothing on the way prints nothing at the end.
  if (terminal_ || drew_) draw(status, true);
}

void Progress::draw(const std::string& status, bool final_line) {
  if (log_level() > LogLevel::kInfo) return;
  const double elapsed = seconds_since_start() - started_;
  const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
  char line[256];
  const std::string tail = status.empty() ? "" : " " + status;
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::snprintf(line, sizeof(line), "\r%s [%s] %s%s\x1b[K", label_.c_str(), bar.c_str(),
                  progress_summary(done_, total_, elapsed).c_str(), tail.c_str());
    std::fputs(line, stderr);
    if (final_line) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else {
    std::snprintf(line, sizeof(line), "%s %s%s", label_.c_str(),
                  progress_summary(done_, total_, elapsed).c_str(), tail.c_str());
    log_progress(line);
  }
}

}  // namespace shiftrec
