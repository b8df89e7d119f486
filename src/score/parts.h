// Parts and staves: which notes of a Score form which part (one per instrument of a track),
// which piano parts get a grand staff and how it is split, and the clef of every staff.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "music/score.h"
#include "score/notation.h"

namespace musegen::score {

struct PartPlan {
  std::string name;
  int program = 0;
  int channel = 0;
  bool drums = false;
  bool keyboard = false;                              // written on a grand staff
  std::vector<std::vector<std::size_t>> staff_notes;  // per staff, indices into Score::notes
};

// One part per (track, channel, program) of the notes, in that order; drums (channel 10) are
// one part per track and channel whatever their program. Names: the track's name, else the GM
// instrument ("Drums" for drums), with the instrument added when a named track holds several
// parts, and numbers added to repeated names. Piano-family parts (programs 0-7) get two staves:
// when the Score has exactly two of them with one program (two hands on two tracks or
// channels), they become one part, the one sounding higher on the upper staff; otherwise each
// is split at `split_pitch` (that pitch and above on the upper staff), by default middle C, or
// the part's median pitch when at least 90% of its notes lie on one side of middle C and three
// or more sound at its onsets on average (a high or low four-part texture still gets two voices
// on each staff; a melody stays on one). A Score without notes gets one empty piano
// part on one staff.
std::vector<PartPlan> plan_parts(const Score& score, std::optional<int> split_pitch);

// The clef whose staff the pitches leave least (counted in diatonic steps past the first ledger
// position): treble or bass on a grand staff; treble, bass or treble-8vb (a small handicap)
// otherwise, alto too for a viola (program 41). Empty staves: treble, bass for a lower staff.
Clef choose_clef(std::span<const int> pitches, bool keyboard, bool lower_staff, int program);

}  // namespace musegen::score
