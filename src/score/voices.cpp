// Greedy voice dealing, onset by onset.
#include "score/voices.h"

#include <algorithm>
#include <limits>

#include "score/quantize.h"

namespace musegen::score {

namespace {

constexpr std::int64_t kFree = std::numeric_limits<std::int64_t>::min();

// The notes of `group` as one chord ending at `end`; notes that would have lasted longer are
// counted as shortened.
Chord chord_of(const std::vector<GridNote>& group, std::int64_t end, NotationStats& stats) {
  Chord c;
  c.start = group.front().start;
  c.end = end;
  for (const auto& n : group) {
    c.pitches.push_back(n.pitch);
    c.velocities.push_back(n.velocity);
    c.played_end |= n.played_end;
    if (n.end > end) ++stats.n_shortened;
  }
  return c;
}

std::int64_t earliest_end(const std::vector<GridNote>& group) {
  std::int64_t end = group.front().end;
  for (const auto& n : group) end = std::min(end, n.end);
  return end;
}

// True when a note above `top` starts in (start, end): the chord then sounds under a higher
// line and is written as the lower voice. Looks at a bounded number of notes.
bool higher_line_starts(std::span<const GridNote> notes, std::size_t from, std::int64_t end,
                        int top) {
  for (std::size_t k = from; k < notes.size() && k < from + 64 && notes[k].start < end; ++k)
    if (notes[k].pitch > top) return true;
  return false;
}

// The first onset in [c.end, limit) of one of c's pitches, else `limit`.
std::int64_t same_pitch_onset(const std::vector<std::vector<std::int64_t>>& onsets_by_pitch,
                              const Chord& c, std::int64_t limit) {
  for (int p : c.pitches) {
    const auto& onsets = onsets_by_pitch[static_cast<std::size_t>(p & 127)];
    const auto it = std::lower_bound(onsets.begin(), onsets.end(), c.end);
    if (it != onsets.end()) limit = std::min(limit, *it);
  }
  return limit;
}

}  // namespace

std::array<std::vector<Chord>, 2> assign_voices(std::span<const GridNote> notes,
                                                NotationStats& stats) {
  std::array<std::vector<Chord>, 2> voices;
  auto busy_until = [&](int k) { return voices[k].empty() ? kFree : voices[k].back().end; };
  for (std::size_t i = 0; i < notes.size();) {
    const std::int64_t t = notes[i].start;
    std::size_t j = i;
    while (j < notes.size() && notes[j].start == t) ++j;
    std::vector<GridNote> group(notes.begin() + static_cast<std::ptrdiff_t>(i),
                                notes.begin() + static_cast<std::ptrdiff_t>(j));
    std::sort(group.begin(), group.end(),
              [](const GridNote& a, const GridNote& b) { return a.pitch > b.pitch; });
    bool free0 = busy_until(0) <= t, free1 = busy_until(1) <= t;
    if (!free0 &&
        !free1) {  // a third line: the voice freeing first (the lower on a tie) makes room
      const int k = busy_until(0) < busy_until(1) ? 0 : 1;
      stats.n_shortened += voices[k].back().pitches.size();
      voices[k].back().end = t;
      (k == 0 ? free0 : free1) = true;
    }
    if (free0 && free1) {
      std::vector<GridNote> top, rest;
      for (const auto& n : group) (n.end == group.front().end ? top : rest).push_back(n);
      if (rest.empty()) {
        const int k = higher_line_starts(notes, j, top.front().end, top.front().pitch) ? 1 : 0;
        voices[k].push_back(chord_of(top, top.front().end, stats));
      } else {
        voices[0].push_back(chord_of(top, top.front().end, stats));
        voices[1].push_back(chord_of(rest, earliest_end(rest), stats));
      }
    } else {
      voices[free0 ? 0 : 1].push_back(chord_of(group, earliest_end(group), stats));
    }
    i = j;
  }
  return voices;
}

void hold_over_silences(std::vector<Chord>& voice,
                        const std::vector<std::vector<std::int64_t>>& onsets_by_pitch,
                        const std::vector<MeasureInfo>& measures,
                        const std::vector<MeasureGrid>& grids, NotationStats& stats) {
  const int divisions = grids.empty() ? 12 : grids.front().divisions();
  for (std::size_t k = 0; k < voice.size(); ++k) {
    Chord& c = voice[k];
    const std::int64_t length = c.end - c.start;
    auto fits = [&](std::int64_t to) {
      const std::int64_t gap = to - c.end;
      return gap > 0 && gap <= divisions &&
             (8 * gap <= length || (c.played_end && 2 * gap < length));
    };
    const std::int64_t next =
        k + 1 < voice.size() ? voice[k + 1].start : std::numeric_limits<std::int64_t>::max();
    std::int64_t to = next;
    if (!fits(to)) to = std::min(next, next_beat(measures, grids, c.end));
    const std::int64_t blocked =
        same_pitch_onset(onsets_by_pitch, c, to);  // maybe another staff's grid
    if (blocked < to) to = grid_floor(measures, grids, blocked);
    if (!fits(to)) continue;
    c.end = to;
    stats.n_lengthened += c.pitches.size();
  }
}

}  // namespace musegen::score
