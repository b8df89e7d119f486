// music21 5.x's choice of the tutorial's elements (rule R7 of ../shared/music21-tokens.md):
// instrument.partitionByInstrument(score).parts[0], or all notes when no Part has a program
// change; plus the program -> instrument-name table of rule R10.
#pragma once

#include <vector>

#include "tokenize/music21_stream.h"

namespace musegen::tokenize {

// The partition key of a 0-based program: the program itself when music21 5.x names it,
// kNamelessProgram when it does not (all nameless instruments share one partition).
inline constexpr int kNamelessProgram = -1;
int music21_program_key(int program);
// music21 5.x's instrument name of a program, or nullptr when it has none.
const char* music21_instrument_name(int program);

// The elements the tutorial turns into tokens, sorted by (quantized offset, track, creation
// index). Pointers into `parts`, valid while it lives.
std::vector<const Music21Element*> music21_tutorial_elements(const std::vector<Music21Part>& parts);

}  // namespace musegen::tokenize
