// Test helper: Scores built in code, one note at a time, with times in ticks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "music/score.h"

namespace musegen::testing {

// An empty Score: `ticks_per_quarter`, one track, 120 bpm.
inline Score make_score(int ticks_per_quarter = 480, int n_tracks = 1) {
  Score s;
  s.ticks_per_quarter = ticks_per_quarter;
  for (int i = 0; i < n_tracks; ++i) s.tracks.push_back(Track{"track " + std::to_string(i)});
  s.tempos.push_back(TempoChange{0, 500000});
  return s;
}

inline void add_note(Score& s, int pitch, int velocity, std::int64_t start_ticks,
                     std::int64_t end_ticks, int track = 0, int channel = 0) {
  Note n;
  n.pitch = pitch;
  n.velocity = velocity;
  n.start_ticks = start_ticks;
  n.end_ticks = end_ticks;
  n.track = track;
  n.channel = channel;
  s.notes.push_back(n);
}

// Restores the canonical order and derives beats and seconds.
inline Score finished(Score s) {
  s.sort_events();
  s.update_times();
  return s;
}

}  // namespace musegen::testing
