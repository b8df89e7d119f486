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
  // Reports item `done` of `total` of the stage `label` ("epoch 3", "reading") with a
  // free-form status ("loss 2.31, 1650 targets/s"); the time left is extrapolated from the
  // stage's rate so far. Cheap to call every step: output is throttled (0.2 s on a terminal,
  // `interval_sec` otherwise); the last item of a stage is always drawn on a terminal, and
  // in plain lines when the stage took at least `interval_sec`.
  void update(const std::string& label, std::int64_t done, std::int64_t total,
              const std::string& status);
  // The same with the label "epoch N".
  void update(std::int64_t epoch, std::int64_t done, std::int64_t total, const std::string& status);
  // Ends the current bar line (on a terminal) and prints `line`.
  void message(const std::string& line);
  // Ends the current bar line, if any, without printing anything else.
  void finish();
  bool is_terminal() const { return terminal_; }

 private:
  bool terminal_;
  double interval_sec_;
  std::chrono::steady_clock::time_point stage_start_, last_print_;
  std::string label_;
  bool started_ = false;
  bool bar_open_ = false;
};

// "1h02m", "3m05s", "12s"; "?" for a negative or NaN duration.
std::string format_duration(double seconds);

}  // namespace musegen::train
