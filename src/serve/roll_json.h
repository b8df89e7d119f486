// A Score as the page's piano roll draws it: notes in seconds, bar lines, tracks.
#pragma once

#include <nlohmann/json.hpp>

#include "music/score.h"

namespace musegen::serve {

// {"notes": [[start_sec, end_sec, pitch, velocity, channel (0-based; 9: drums), program]...],
// "bars": [start_sec of every bar line], "seconds", "tracks": played_tracks_json}. Compact
// arrays: a 5-minute piece has thousands of notes. Enough to draw it and to play it through
// Web MIDI.
nlohmann::json roll_json(const Score& score);

}  // namespace musegen::serve
