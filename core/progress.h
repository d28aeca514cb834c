// Progress display on stderr for long loops (epochs, evaluation).
//
// Every line says done/total, the rate and the time left (progress_summary).
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

// "45/100 (45%), 12.3/s, 4.5 s left": the count, the rate so far and the time left at that
// rate; at the end "100/100 (100%), 12.3/s, in 8.1 s". No rate or time before the first step.
std::string progress_summary(int64_t done, int64_t total, double elapsed_seconds);
// "4.5 s", "3.2 min", "1.4 h".
std::string duration_text(double seconds);
// "2 trained in 1.4 min; about 2.1 min left": `finished` tasks took `elapsed` seconds running
// `parallel` at a time; `remaining` more at that pace (sweeps, whose runs vary in length).
std::string time_left_text(int64_t finished, double elapsed, int64_t remaining, int64_t parallel);

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
