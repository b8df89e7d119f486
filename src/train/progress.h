// Progress of long work on stderr: a redrawn bar on a terminal, plain periodic lines
// otherwise (logs, CI), so output stays readable in both.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace musegen::train {

class Progress {
 public:
  // `interval_sec`: how often a plain line is printed when stderr is not a terminal.
  explicit Progress(double interval_sec = 30.0);
  // Reports step `done` of `total` in the current epoch with a free-form status ("loss 2.31,
  // 1650 targets/s"). Cheap to call every step.
  void update(std::int64_t epoch, std::int64_t done, std::int64_t total, const std::string& status);
  // Ends the current bar line (on a terminal) and prints `line`.
  void message(const std::string& line);
  bool is_terminal() const { return terminal_; }

 private:
  bool terminal_;
  double interval_sec_;
  std::chrono::steady_clock::time_point epoch_start_, last_print_;
  std::int64_t epoch_ = -1;
  bool bar_open_ = false;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace musegen::train
