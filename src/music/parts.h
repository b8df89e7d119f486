// A Score's parts: its notes grouped by (track, channel, instrument), ordered pitched before
// drums, by program, then by descending mean pitch, so that like parts of different pieces
// line up (Soprano before Alto, Violin I before Violin II). The multitrack tokenizer and the
// per-part metrics share this order.
#pragma once

#include <cstddef>
#include <vector>

#include "music/score.h"

namespace musegen {

struct NotePart {
  int track = 0;
  int channel = 0;
  int program = 0;             // 0 for drums
  int instrument = 0;          // the GM program, or kGmDrumKit (128) for drums
  std::size_t first_note = 0;  // where the part first appears in Score::notes
  double mean_pitch = 0;
  std::vector<const Note*> notes;  // in Score order; point into the Score
};

// The parts of `score` in the order above (ties: by track, then channel).
std::vector<NotePart> note_parts(const Score& score);

}  // namespace musegen
