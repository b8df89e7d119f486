// Pitch spelling as music21 5.x writes and reads it: MIDI number -> "C#5", "E-4", "B-2"
// (rule R8 of ../shared/music21-tokens.md) and note names -> MIDI numbers (for decoding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace musegen::tokenize {

// name(midi % 12) + (midi / 12 - 1), names C C# D E- E F F# G G# A B- B. Defined for any
// midi >= 0 (music21 does not clip): 60 -> "C4", 70 -> "B-4", 0 -> "C-1", 11 -> "B-1".
std::string music21_pitch_name(int midi);

// Reads a note name as music21's Pitch(name) does: every digit anywhere is the octave (4
// when there is none), the first other character is the step (A-G, any case) and the rest
// the accidental ("", "n", "#".."####", "-".."----"). So "B-1" is B flat in octave 1 =
// MIDI 34 and "C#5" = 73; music21's spelling of MIDI 0..11 does not read back ("C-1" -> 23,
// "B-1" -> 34, "C#-1" -> nullopt). nullopt for anything else or outside MIDI 0..127.
std::optional<int> music21_parse_pitch(std::string_view name);

}  // namespace musegen::tokenize
