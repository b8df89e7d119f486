// Keys and pitch spelling: the key estimated from pitch classes (Krumhansl-Schmuckler), note
// names that follow the key, and the accidentals a measure needs.
#pragma once

#include <array>
#include <span>

#include "music/score.h"
#include "score/notation.h"

namespace musegen::score {

// Pitch-class weights of a piece: each pitched note adds its length in quarter notes.
std::array<double, 12> pitch_class_weights(const Score& score);

// The major or minor key whose Krumhansl-Kessler profile correlates best (Pearson) with
// `weights`; the signature with fewer accidentals where two spellings exist (G flat major rather
// than F sharp, E flat minor rather than D sharp). C major when every weight is equal.
KeySignature estimate_key(const std::array<double, 12>& weights);

// Names pitches in a key, note after note (Temperley's line-of-fifths idea, simplified): the
// seven pitch classes of the signature as it writes them; each other one as the sharp or the
// flat nearer, on the line of fifths, to a target halfway between the key's centre (the
// signature's position + 2, minor + 3) and the recent notes' positions, so that chromatic
// notes follow the harmony around them (G sharp under an E major chord in C major, A flat
// under an F minor one); on a tie the sharp. E.g. F sharp in D major, G flat in E flat minor,
// G sharp in A minor.
class Speller {
 public:
  explicit Speller(const KeySignature& key);
  // A new key: its centre; the recent notes still count.
  void set_key(const KeySignature& key);
  // The name of `pitch`; it then counts as a recent note.
  Spelling spell(int pitch);

 private:
  KeySignature key_;
  double centre_ = 2, recent_ = 2;
};

// The name of `pitch` in `key` with no context (Speller(key).spell(pitch)).
Spelling spell(int pitch, const KeySignature& key);

// The alteration the key signature gives to a step ('A'..'G').
int key_alter(char step, const KeySignature& key);

// Sets Head::show_accidental for the heads of one staff's measure (all its voices, in time
// order): a head shows its accidental when its alteration differs from what the key or an
// earlier head of the same step and octave in the measure left; tied-over heads show none.
void mark_accidentals(StaffMeasure& staff, const KeySignature& key);

}  // namespace musegen::score
