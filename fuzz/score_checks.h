// Shared by the fuzz targets: a Score read from any input holds no impossible value; a
// violation aborts, so libFuzzer reports it as a crash.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "music/score.h"

namespace musegen::fuzz {

[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

inline void check_possible(const Score& s) {
  for (const Note& n : s.notes) {
    if (n.pitch < 0 || n.pitch > 127) violated("pitch outside 0..127");
    if (n.velocity < 1 || n.velocity > 127) violated("velocity outside 1..127");
    if (n.channel < 0 || n.channel > 15) violated("channel outside 0..15");
    if (n.program < 0 || n.program > 127) violated("program outside 0..127");
    if (n.track < 0 || n.track >= static_cast<int>(s.tracks.size())) violated("bad track index");
    if (n.start_ticks < 0 || n.end_ticks < n.start_ticks) violated("negative time or duration");
    if (!std::isfinite(n.start_sec) || !std::isfinite(n.end_sec) || n.end_sec < n.start_sec)
      violated("seconds not finite or decreasing");
    if (!std::isfinite(n.start_beats) || !std::isfinite(n.end_beats)) violated("beats not finite");
  }
  for (const auto& t : s.tempos)
    if (t.us_per_quarter < 1 || t.us_per_quarter > 0xFFFFFF) violated("impossible tempo");
  if (!std::isfinite(s.duration_sec())) violated("duration not finite");
}

}  // namespace musegen::fuzz
