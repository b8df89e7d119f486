// Exact music21 5.x quantization: compares |x - q4| and |x - q3| in units of 1/(12 tpq).
#include "tokenize/music21_quantize.h"

#include <algorithm>

namespace musegen::tokenize {

namespace {

// Nearest integer to num / den (num >= 0, den > 0), an exact half rounding down.
std::int64_t nearest_half_down(std::int64_t num, std::int64_t den) {
  std::int64_t q = num / den;
  std::int64_t r = num % den;
  return 2 * r > den ? q + 1 : q;
}

std::int64_t abs64(std::int64_t x) {
  return x < 0 ? -x : x;
}

}  // namespace

std::int64_t music21_quantize_twelfths(std::int64_t ticks, std::int64_t ticks_per_quarter) {
  if (ticks <= 0) return 0;
  const std::int64_t tpq = ticks_per_quarter;
  std::int64_t quarters4 = nearest_half_down(4 * ticks, tpq);  // q4 = quarters4 / 4
  std::int64_t thirds = nearest_half_down(3 * ticks, tpq);     // q3 = thirds / 3
  // x = 12 ticks / (12 tpq); q4 = 3 quarters4 tpq / (12 tpq); q3 = 4 thirds tpq / (12 tpq).
  std::int64_t error4 = abs64(12 * ticks - 3 * quarters4 * tpq);
  std::int64_t error3 = abs64(12 * ticks - 4 * thirds * tpq);
  if (error4 < error3) return 3 * quarters4;
  if (error3 < error4) return 4 * thirds;
  return std::min(3 * quarters4, 4 * thirds);
}

}  // namespace musegen::tokenize
