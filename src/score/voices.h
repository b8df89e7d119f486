// Voices of one staff: quantised notes grouped into chords (same onset and end) and dealt to at
// most two voices, the upper line in voice 1 where the lines can be told apart.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "score/notation.h"
#include "score/quantize.h"

namespace musegen::score {

struct Chord {
  std::int64_t start = 0, end = 0;  // divisions
  std::vector<int> pitches;         // highest first
  std::vector<int> velocities;      // beside pitches
  bool played_end = false;          // a note's end was off the grid (GridNote::played_end)
};

// Deals `notes` (sorted by start) to two voices of non-overlapping chords. At each onset the
// notes that start there form one chord per end time: with both voices free, the group holding
// the highest note goes to voice 1 (to voice 2 when a higher line starts while it sounds) and
// the others, made to end together at the earliest of their ends, to voice 2; with one voice
// free, every note goes to it ending at the earliest end; with none free, the voice that would
// free first (voice 2 when both would together) is cut at this onset. Every shortened note is
// counted in stats.n_shortened.
std::array<std::vector<Chord>, 2> assign_voices(std::span<const GridNote> notes,
                                                NotationStats& stats);

// A short silence after a chord is how it was played (staccato, gate time), not a rest to
// write: the chord is held to the voice's next chord, or else to the next beat, when that
// silence is at most a quarter note and at most an eighth of the chord's length, or, for a
// chord whose end was played off the grid, less than half of it (stats.n_lengthened); never
// over an onset of one of its pitches anywhere in the part (`onsets_by_pitch`: 128 sorted lists).
void hold_over_silences(std::vector<Chord>& voice,
                        const std::vector<std::vector<std::int64_t>>& onsets_by_pitch,
                        const std::vector<MeasureInfo>& measures,
                        const std::vector<MeasureGrid>& grids, NotationStats& stats);

}  // namespace musegen::score
