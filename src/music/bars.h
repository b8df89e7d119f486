// Bars of a Score: bar lines from its time signatures (4/4 until the first; a signature takes
// effect at the first bar line at or after it), and cutting a Score at a bar line.
#pragma once

#include <cstdint>
#include <vector>

#include "music/score.h"

namespace musegen {

struct Bar {
  std::int64_t start_ticks = 0;
  std::int64_t end_ticks = 0;
  int numerator = 4;
  int denominator = 4;
};

// The bars from tick 0 until one contains `until_ticks` (at least one bar). Signatures with a
// numerator or denominator out of 1..64 are skipped.
std::vector<Bar> bars_of(const Score& score, std::int64_t until_ticks);
// The bars up to the last note's start (none for a Score without notes).
std::vector<Bar> bars_of(const Score& score);

// The music from bar `first_bar` (0-based) on, moved to start at tick 0: notes starting at or
// after the bar line (lengths kept), and the tempo, time and key signature in force there
// followed by later ones. Notes sounding across the bar line are left out.
Score from_bar(const Score& score, int first_bar);

}  // namespace musegen
