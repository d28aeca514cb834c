// Progress display on stderr for long loops (epochs, evaluation).
//
// When stderr is a terminal it redraws one bar line in place; otherwise (CI, a log file)
// it logs at most one line every `log_interval_seconds`, plus a final one when it logged any,
// so logs stay short. Example:
//   Progress progress("epoch 3", n_batches);
//   for (...) { ...; progress.advance(1, "loss 0.51"); }
//   progress.finish("loss 0.49");
#pragma once

#include <cstdint>
#include <string>

namespace shiftrec {

class Progress {
 public:
  Progress(std::string label, int64_t total, double log_interval_seconds = 10.0);
  ~Progress();
  void advance(int64_t steps, const std::string& status = "");
  void finish(const std::string& status = "");

  // Overrides terminal detection (tests).
  void set_terminal(bool is_terminal) { terminal_ = is_terminal; }

 private:
  void draw(const std::string& status, bool final_line);

  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  double log_interval_;
  double started_;
  double last_output_;
  bool terminal_;
  bool finished_ = false;
  bool drew_ = false;  // an intermediate line was drawn
};

}  // namespace shiftrec
