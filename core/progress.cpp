#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/log.h"

namespace shiftrec {

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
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::snprintf(line, sizeof(line), "\r%s [%s] %3.0f%% %.1fs %s", label_.c_str(), bar.c_str(),
                  100.0 * fraction, elapsed, status.c_str());
    std::fputs(line, stderr);
    if (final_line) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else {
    std::snprintf(line, sizeof(line), "%s %lld/%lld (%.0f%%) %.1fs %s", label_.c_str(),
                  static_cast<long long>(done_), static_cast<long long>(total_), 100.0 * fraction,
                  elapsed, status.c_str());
    log_progress(line);
  }
}

}  // namespace shiftrec
