// music21 5.x quantization to quarterLengthDivisors (4, 3) (rule R6 of
// ../shared/music21-tokens.md), done exactly in integers.
#pragma once

#include <cstdint>

namespace musegen::tokenize {

// Twelfths of a quarter note per quarter: every multiple of 1/4 and of 1/3 is a whole number
// of twelfths, so quantized times are integers in this unit.
inline constexpr std::int64_t kTwelfthsPerQuarter = 12;

// Quantizes ticks / ticks_per_quarter quarter notes (ticks_per_quarter > 0) to the nearer of
// the nearest multiple of 1/4 and the nearest multiple of 1/3, each rounding an exact half
// down, the smaller value winning an exact tie (7/24 -> 1/4). Negative ticks give 0 (music21
// clamps negative durations). Returns twelfths of a quarter note. Exact for ticks up to 2^58.
std::int64_t music21_quantize_twelfths(std::int64_t ticks, std::int64_t ticks_per_quarter);

}  // namespace musegen::tokenize
