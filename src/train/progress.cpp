// Terminal progress bar and plain progress lines.
#include "train/progress.h"

#include <unistd.h>

#include <cstdio>

namespace musegen::train {

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds != seconds) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

Progress::Progress(double interval_sec)
    : terminal_(::isatty(STDERR_FILENO) == 1), interval_sec_(interval_sec) {
  stage_start_ = last_print_ = std::chrono::steady_clock::now();
}

void Progress::update(std::int64_t epoch, std::int64_t done, std::int64_t total,
                      const std::string& status) {
  update("epoch " + std::to_string(epoch), done, total, status);
}

void Progress::update(const std::string& label, std::int64_t done, std::int64_t total,
                      const std::string& status) {
  auto now = std::chrono::steady_clock::now();
  if (!started_ || label != label_) {
    label_ = label;
    stage_start_ = now;
    started_ = true;
  }
  double since_print = std::chrono::duration<double>(now - last_print_).count();
  double elapsed = std::chrono::duration<double>(now - stage_start_).count();
  const double interval = terminal_ ? 0.2 : interval_sec_;
  // A stage's last item is always drawn on a terminal; in plain lines only when the stage
  // took long enough to deserve one (a log of short stages stays quiet).
  const bool last = done == total && (terminal_ || elapsed >= interval_sec_);
  if (since_print < interval && !last) return;
  last_print_ = now;
  double remaining = done > 0 ? elapsed * static_cast<double>(total - done) / done : -1;
  const long long d = done, t = total;
  if (terminal_) {
    const int width = 24;
    int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld %s, %s left", label.c_str(), bar.c_str(), d, t,
                 status.c_str(), format_duration(remaining).c_str());
    bar_open_ = true;
  } else {
    std::fprintf(stderr, "%s %lld/%lld %s, %s left\n", label.c_str(), d, t, status.c_str(),
                 format_duration(remaining).c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (bar_open_) std::fputs("\r\033[K", stderr);
  bar_open_ = false;
  std::fflush(stderr);
}

void Progress::message(const std::string& line) {
  finish();
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace musegen::train
