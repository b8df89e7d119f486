// Rule R6 of music21-tokens.md: quantization to the (4, 3) grid, exact, against a
// re-implementation of music21's own floating-point procedure.
#include <gtest/gtest.h>

#include <cmath>

#include "tokenize/music21_quantize.h"

namespace musegen::tokenize {
namespace {

// music21 5.x: common.nearestMultiple on doubles (a half goes down), the errors rounded to
// 7 decimals, the smaller error winning and an exact tie going to the smaller value.
double music21_double_quantize(double x) {
  auto nearest = [](double n, double unit, double& error) {
    double low = unit * std::floor(n / unit);
    double value = n <= low + unit / 2 ? low : low + unit;
    error = std::round(std::abs(n - value) * 1e7) / 1e7;
    return value;
  };
  double error4 = 0, error3 = 0;
  double q4 = nearest(x, 0.25, error4);
  double q3 = nearest(x, 1.0 / 3.0, error3);
  if (error4 != error3) return error4 < error3 ? q4 : q3;
  return std::min(q4, q3);
}

TEST(Music21Quantize, SnapsToQuartersAndThirds) {
  EXPECT_EQ(music21_quantize_twelfths(0, 480), 0);
  EXPECT_EQ(music21_quantize_twelfths(480, 480), 12);
  EXPECT_EQ(music21_quantize_twelfths(130, 480), 3);  // 0.271 -> 1/4
  EXPECT_EQ(music21_quantize_twelfths(110, 480), 3);  // 0.229 -> 1/4
  EXPECT_EQ(music21_quantize_twelfths(160, 480), 4);  // 1/3
  EXPECT_EQ(music21_quantize_twelfths(180, 480), 4);  // 3/8: 1/3 is closer than 1/4
  EXPECT_EQ(music21_quantize_twelfths(460, 480), 12);
}

TEST(Music21Quantize, ExactTiesGoToTheSmallerValue) {
  EXPECT_EQ(music21_quantize_twelfths(7, 24), 3);    // 7/24: 1/4 and 1/3 equally near
  EXPECT_EQ(music21_quantize_twelfths(17, 24), 8);   // 17/24: 2/3 and 3/4 equally near
  EXPECT_EQ(music21_quantize_twelfths(60, 480), 0);  // 1/8: half-way to 1/4 goes down
}

TEST(Music21Quantize, ShortAndNegativeDurationsBecomeZero) {
  EXPECT_EQ(music21_quantize_twelfths(-5, 480), 0);
  EXPECT_EQ(music21_quantize_twelfths(1, 480), 0);
  EXPECT_EQ(music21_quantize_twelfths(60, 480), 0);  // exactly 1/8 quarter
  EXPECT_EQ(music21_quantize_twelfths(61, 480), 3);
}

TEST(Music21Quantize, AgreesWithMusic21sFloatingPointProcedureAtEveryTick) {
  for (int tpq :
       {7, 24, 25, 30, 48, 96, 100, 120, 192, 240, 384, 480, 960, 999, 1000, 1024, 1536, 3840}) {
    for (std::int64_t tick = 0; tick <= 9 * tpq; ++tick) {
      double expected = music21_double_quantize(static_cast<double>(tick) / tpq);
      ASSERT_NEAR(static_cast<double>(music21_quantize_twelfths(tick, tpq)) / 12.0, expected, 1e-9)
          << "tick " << tick << " tpq " << tpq;
    }
  }
}

TEST(Music21Quantize, IsMonotoneAndExactForHugeTicks) {
  std::int64_t previous = 0;
  for (std::int64_t tick = 0; tick < 5000; ++tick) {
    std::int64_t q = music21_quantize_twelfths(tick, 96);
    ASSERT_GE(q, previous);
    previous = q;
  }
  const std::int64_t huge = std::int64_t{1} << 58;
  EXPECT_EQ(music21_quantize_twelfths(huge, 1024), huge / 1024 * 12);
  EXPECT_EQ(music21_quantize_twelfths(huge + 256, 1024), huge / 1024 * 12 + 3);
}

}  // namespace
}  // namespace musegen::tokenize
