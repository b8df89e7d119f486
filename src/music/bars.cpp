// Bar lines from time signatures, and a Score cut at a bar line.
#include "music/bars.h"

#include <algorithm>

namespace musegen {

namespace {

std::int64_t bar_ticks(const Score& score, int numerator, int denominator) {
  return std::max<std::int64_t>(1, std::int64_t{score.ticks_per_quarter} * 4 * numerator / denominator);
}

// The last element of a tick-sorted list at or before `tick`, moved to tick 0; then the later
// ones moved by -tick.
template <typename T>
std::vector<T> shifted(const std::vector<T>& list, std::int64_t tick) {
  std::vector<T> out;
  for (const T& x : list) {
    if (x.tick <= tick) {
      out.assign(1, x);
      out.back().tick = 0;
    } else {
      out.push_back(x);
      out.back().tick -= tick;
    }
  }
  return out;
}

}  // namespace

std::vector<Bar> bars_of(const Score& score, std::int64_t until_ticks) {
  std::vector<Bar> bars;
  int numerator = 4, denominator = 4;
  std::size_t next = 0;
  const auto& signatures = score.time_signatures;
  for (std::int64_t start = 0; bars.empty() || start <= until_ticks;) {
    for (; next < signatures.size() && signatures[next].tick <= start; ++next) {
      const auto& ts = signatures[next];
      if (ts.numerator < 1 || ts.numerator > 64 || ts.denominator < 1 || ts.denominator > 64)
        continue;
      numerator = ts.numerator;
      denominator = ts.denominator;
    }
    const std::int64_t end = start + bar_ticks(score, numerator, denominator);
    bars.push_back({start, end, numerator, denominator});
    start = end;
  }
  return bars;
}

std::vector<Bar> bars_of(const Score& score) {
  if (score.notes.empty()) return {};
  std::int64_t last = 0;
  for (const auto& n : score.notes) last = std::max(last, n.start_ticks);
  return bars_of(score, last);
}

Score from_bar(const Score& score, int first_bar) {
  Score out = score;
  if (first_bar <= 0) return out;
  std::int64_t last_end = 0;
  for (const auto& n : score.notes) last_end = std::max(last_end, n.end_ticks);
  const auto bars = bars_of(score, last_end);
  const std::int64_t cut = static_cast<std::size_t>(first_bar) < bars.size()
                               ? bars[static_cast<std::size_t>(first_bar)].start_ticks
                               : bars.back().end_ticks;
  out.notes.clear();
  for (const Note& n : score.notes)
    if (n.start_ticks >= cut) {
      Note moved = n;
      moved.start_ticks -= cut;
      moved.end_ticks -= cut;
      out.notes.push_back(moved);
    }
  out.tempos = shifted(score.tempos, cut);
  out.time_signatures = shifted(score.time_signatures, cut);
  out.key_signatures = shifted(score.key_signatures, cut);
  out.update_times();
  return out;
}

}  // namespace musegen
