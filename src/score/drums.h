// Drums on a five-line percussion staff: where each General MIDI drum key is written and with
// which note head (the common drum-kit layout: kick in the bottom space, snare on the third
// space, hi-hat and cymbals above the staff with x heads).
#pragma once

#include <string>

#include "score/notation.h"

namespace musegen::score {

struct DrumPlacement {
  Spelling display;      // display step and octave on a treble-like staff (alter 0)
  std::string notehead;  // MusicXML notehead value: "normal", "x", "circle-x", ...
};

// The placement of GM drum key `key` (0..127); keys outside the GM map 35..81 share the
// middle line with a normal head.
DrumPlacement drum_placement(int key);

// The GM drum key written at `display` (step and octave) with `notehead`, or -1 when none is;
// the reverse of drum_placement, for reading files that name no instrument.
int drum_key_at(const Spelling& display, const std::string& notehead);

}  // namespace musegen::score
