// Putting a piece's notes (bars and grid steps) into a Score at a tick, in the Score's own
// tracks, channels and programs: the last step of fills and harmonisations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "music/score.h"
#include "tokenize/multitrack_piece.h"

namespace musegen::compose {

// The tick of grid step `step` (steps_per_quarter per quarter note) on the Score's division,
// rounded to the nearest tick.
std::int64_t step_ticks(const Score& score, std::int64_t step, int steps_per_quarter);

// Adds the notes of `piece` to `out`, its bar 0 at `start_ticks`: track t's notes go to
// sources[t] (Score track, channel, program), only for tracks with (*only)[t] true when `only`
// is given; notes are cut at `end_ticks` (no cut when it is 0) and get the middle velocity of
// their bin. The caller sorts.
void place_notes(const tokenize::Piece& piece, const std::vector<tokenize::PartSource>& sources,
                 const std::vector<bool>* only, std::int64_t start_ticks, std::int64_t end_ticks,
                 const tokenize::PieceOptions& options, Score& out);

// Makes the notes placed after the first `first_generated` of out.notes fit beside those
// before them in a MIDI file, where one key of one channel cannot be struck while it sounds:
// a placed note that starts while an earlier note of its key sounds is dropped, one that
// sounds into such a note's start is cut there, and placed notes of one key cut each other.
// The notes before `first_generated` never change.
void resolve_key_collisions(Score& out, std::size_t first_generated);

}  // namespace musegen::compose
