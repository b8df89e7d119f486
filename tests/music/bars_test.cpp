// Bars of a Score from its time signatures, and cutting a Score at a bar line.
#include "music/bars.h"

#include <gtest/gtest.h>

namespace musegen {
namespace {

Score with_notes(std::vector<TimeSignature> signatures) {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks = {{"a"}};
  s.tempos = {{0, 500000}, {2400, 400000}};
  s.time_signatures = std::move(signatures);
  for (int k = 0; k < 8; ++k) {
    Note n;
    n.pitch = 60 + k;
    n.start_ticks = k * 480;
    n.end_ticks = n.start_ticks + 480;
    s.notes.push_back(n);
  }
  s.update_times();
  return s;
}

TEST(Bars, FollowTimeSignaturesAtBarLines) {
  // 3/4, then a 2/4 written inside the second bar: it starts at the third bar line.
  const auto bars = bars_of(with_notes({{0, 3, 4}, {1500, 2, 4}}));
  ASSERT_EQ(bars.size(), 3u);  // notes start up to tick 3360
  EXPECT_EQ(bars[0].start_ticks, 0);
  EXPECT_EQ(bars[1].start_ticks, 1440);
  EXPECT_EQ(bars[2].start_ticks, 2880);
  EXPECT_EQ(bars[2].end_ticks, 2880 + 960);
  EXPECT_EQ(bars[2].numerator, 2);
  EXPECT_TRUE(bars_of(Score{}).empty());
}

TEST(Bars, FromBarKeepsWhatIsInForce) {
  const Score cut = from_bar(with_notes({{0, 4, 4}}), 1);  // from tick 1920
  ASSERT_EQ(cut.notes.size(), 4u);
  EXPECT_EQ(cut.notes[0].start_ticks, 0);
  EXPECT_EQ(cut.notes[0].pitch, 64);
  ASSERT_EQ(cut.tempos.size(), 2u);
  EXPECT_EQ(cut.tempos[0].us_per_quarter, 500000);
  EXPECT_EQ(cut.tempos[1].tick, 480);
  ASSERT_EQ(cut.time_signatures.size(), 1u);
  EXPECT_EQ(cut.time_signatures[0].tick, 0);
  EXPECT_TRUE(from_bar(with_notes({}), 5).notes.empty());
}

}  // namespace
}  // namespace musegen
