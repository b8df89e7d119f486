// music21 5.x Chord.normalOrder (rule R9 of ../shared/music21-tokens.md): the chord token of
// a pitch-class set, from a table of all 4,096 sets computed once.
#pragma once

#include <string>
#include <vector>

namespace musegen::tokenize {

// Bit p (0..11) of a pitch-class mask is set when pitch class p sounds.
inline unsigned pitch_class_bit(int pitch) {
  return 1u << (pitch % 12);
}

// music21 5.x normalOrder of the set `pc_mask` (1..4095): the set's prime form, or failing
// that its inversion, transposed onto the set, in the form's order. Empty for mask 0 or a
// mask above 4095. Thread-safe.
const std::vector<int>& music21_normal_order(unsigned pc_mask);

// The tutorial's chord token: normalOrder joined by '.' ("0.4.7", "7.11.2"); empty for an
// invalid mask. Thread-safe.
const std::string& music21_chord_token(unsigned pc_mask);

// The textbook (Forte) normal order, the rotation of the sorted set packed to the left (ties
// to the lowest first pitch class), which music21 9+ returns; for comparison and tests.
std::vector<int> forte_normal_order(unsigned pc_mask);

}  // namespace musegen::tokenize
