// Where a row of multitrack tokens stands in the grammar (header, bar, position, part, note),
// and which tokens may follow there so that every token means something. Torch-free; used by
// the multitrack steering.
#pragma once

#include <vector>

#include "tokenize/multitrack_tokenizer.h"

namespace musegen::generate {

struct GrammarState {
  bool header = true;
  std::vector<int> instruments;  // declared by the header
  int bar = -1;                  // bars opened since the start, or since the last fill marker
  int bar_steps = 48;            // length of the current bar
  int signature_numerator = 4, signature_denominator = 4;
  int position = -1;  // -1 before the bar's first pos:
  int track = -1;
  int velocity_bin = 0;
  int notes_in_bar = 0;
  int note_steps = 0;  // the current note's duration so far (its d: tokens)
  tokenize::MtKind last = tokenize::MtKind::other;
  bool bar_open = false;  // after bar (and ts:/tempo:), before the first pos:
  int fill_marker = -1;   // the last fill marker taken (2: writing a gap), -1: none

  bool is_drum_track(int t) const {
    return t >= 0 && t < static_cast<int>(instruments.size()) &&
           instruments[static_cast<std::size_t>(t)] == tokenize::kDrumInstrument;
  }
};

// Moves the state past token `t`.
void follow(GrammarState& state, const tokenize::MtToken& t, const tokenize::MultitrackTokenizer& tk);
// True when `t` may come next: only tokens that decoding would place somewhere (a pitch after a
// part and an onset, durations after a pitch, onsets forward within the bar, parts the header
// declared, signatures right after `bar`, drum keys 27..87 on drum parts). Header and fill
// markers are left to the caller.
bool grammatical(const GrammarState& state, const tokenize::MtToken& t,
                 const tokenize::MultitrackTokenizer& tk);

}  // namespace musegen::generate
