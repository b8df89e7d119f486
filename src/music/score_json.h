// JSON views of a Score for scripts: the note fields every command that prints notes uses
// (pitch, velocity, channel, program, track, start/end in ticks, beats and seconds).
#pragma once

#include <nlohmann/json.hpp>

#include "music/score.h"

namespace musegen {

nlohmann::json note_to_json(const Note& note);
nlohmann::json notes_to_json(const Score& score);
// Summary of a score: division, tracks (name, channels, programs, n_notes), tempos, time and
// key signatures, duration, pitch range, n_notes. Does not include the notes.
nlohmann::json score_summary_json(const Score& score);
// The tracks as a player sees them: [{"name", "program" (GM number; null for drums), "drums",
// "channel" (0-based), "notes"}], one per Score track with notes.
nlohmann::json played_tracks_json(const Score& score);

}  // namespace musegen
