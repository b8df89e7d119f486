// Written rhythm of one voice in one measure: chords and the rests between them split into
// note values that show the beat (dotted values, ties, eighth-note triplets), then beamed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "score/meter.h"
#include "score/notation.h"
#include "score/voices.h"

namespace musegen::score {

// The part of a chord that falls in one measure; positions from the measure start.
struct ChordPiece {
  std::int64_t start = 0, end = 0;
  const Chord* chord = nullptr;
  bool tied_in = false;   // the chord began in an earlier measure
  bool tied_out = false;  // the chord goes on into the next measure
};

struct Value {
  NoteType type = NoteType::quarter;
  int dots = 0;
};

// The written value of `length` divisions (plain or single-dotted), if there is one.
std::optional<Value> value_of(std::int64_t length, int divisions);

// Splits [start, end) into spans each written as one value: a span is kept whole when it is a
// value that does not hide a beat (one that crosses beats must start and end on beats and, in a
// bar of four beats, not cross its middle unless it starts the bar or the half), and otherwise
// cut at its strongest inner position. Rests are stricter: no dotted rest over several beats of
// a simple meter, none across a half beat unless it starts the beat.
std::vector<std::pair<std::int64_t, std::int64_t>> split_span(const MeasureGrid& grid,
                                                              std::int64_t start, std::int64_t end,
                                                              bool rest);

// The items of one voice in one measure: `pieces` (in order, not overlapping) written as tied
// values, the gaps as rests; a voice without pieces is one whole-measure rest. Items inside a
// triplet cell are marked as tuplets; eighths and shorter are beamed by beam group.
std::vector<Item> voice_items(std::span<const ChordPiece> pieces, const MeasureGrid& grid);

}  // namespace musegen::score
