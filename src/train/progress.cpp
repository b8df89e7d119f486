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
  epoch_start_ = last_print_ = std::chrono::steady_clock::now();
}

void Progress::update(std::int64_t epoch, std::int64_t done, std::int64_t total,
                      const std::string& status) {
  auto now = std::chrono::steady_clock::now();
  if (epoch != epoch_) {
    epoch_ = epoch;
    epoch_start_ = now;
  }
  double since_print = std::chrono::duration<double>(now - last_print_).count();
  if (since_print < (terminal_ ? 0.2 : interval_sec_) && done != total) return;
  last_print_ = now;
  double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  double remaining = done > 0 ? elapsed * static_cast<double>(total - done) / done : -1;
  if (terminal_) {
    const int width = 24;
    int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r\033[Kepoch %lld [%s] %lld/%lld %s, %s left",
                 static_cast<long long>(epoch), bar.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total), status.c_str(), format_duration(remaining).c_str());
    bar_open_ = true;
  } else {
    std::fprintf(stderr, "epoch %lld step %lld/%lld %s, %s left\n", static_cast<long long>(epoch),
                 static_cast<long long>(done), static_cast<long long>(total), status.c_str(),
                 format_duration(remaining).c_str());
  }
  std::fflush(stderr);
}

void Progress::message(const std::string& line) {
  if (bar_open_) std::fputs("\r\033[K", stderr);
  bar_open_ = false;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace musegen::train
