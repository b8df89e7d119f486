// Score: tempo-map timing, queries, transposition and ordering.
#include "music/score.h"

#include <gtest/gtest.h>

#include "core/errors.h"

namespace musegen {
namespace {

Note make_note(int pitch, std::int64_t start, std::int64_t end, int channel = 0, int track = 0) {
  Note n;
  n.pitch = pitch;
  n.start_ticks = start;
  n.end_ticks = end;
  n.channel = channel;
  n.track = track;
  return n;
}

TEST(Score, DefaultTempoIs120Bpm) {
  Score s;
  s.ticks_per_quarter = 480;
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(480), 0.5);
  EXPECT_DOUBLE_EQ(s.ticks_to_beats(720), 1.5);
}

TEST(Score, TempoMapIsPiecewiseLinear) {
  Score s;
  s.ticks_per_quarter = 100;
  s.tempos = {{0, 1000000}, {200, 250000}};  // 60 bpm for two beats, then 240 bpm
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(100), 1.0);
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(200), 2.0);
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(300), 2.25);
  EXPECT_EQ(s.seconds_to_ticks(2.25), 300);
  EXPECT_EQ(s.seconds_to_ticks(1.5), 150);
}

TEST(Score, TempoBeforeFirstChangeIs120Bpm) {
  Score s;
  s.ticks_per_quarter = 480;
  s.tempos = {{960, 1000000}};
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(960), 1.0);
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(1440), 2.0);
}

TEST(Score, UpdateTimesMatchesTicksToSecondsWithManyTempi) {
  Score s;
  s.ticks_per_quarter = 96;
  for (int i = 0; i < 10; ++i) s.tempos.push_back({i * 50, 300000 + 40000 * i});
  for (int i = 0; i < 40; ++i) s.notes.push_back(make_note(60, i * 17, i * 17 + 30));
  s.update_times();
  for (const auto& n : s.notes) {
    EXPECT_NEAR(n.start_sec, s.ticks_to_seconds(n.start_ticks), 1e-12);
    EXPECT_NEAR(n.end_sec, s.ticks_to_seconds(n.end_ticks), 1e-12);
    EXPECT_DOUBLE_EQ(n.start_beats, n.start_ticks / 96.0);
  }
}

TEST(Score, SmpteTimeComesFromTicks) {
  Score s;
  s.smpte_ticks_per_sec = 25 * 40;
  EXPECT_DOUBLE_EQ(s.ticks_to_seconds(500), 0.5);
  EXPECT_DOUBLE_EQ(s.ticks_to_beats(500), 1.0);
}

TEST(Score, QueriesOnSmallScore) {
  Score s;
  s.notes = {make_note(60, 0, 480), make_note(64, 240, 960), make_note(36, 0, 100, kDrumChannel),
             make_note(72, 960, 1200)};
  s.sort_events();
  EXPECT_EQ(s.end_ticks(), 1200);
  EXPECT_DOUBLE_EQ(s.duration_sec(), 1.25);
  ASSERT_TRUE(s.pitch_range().has_value());
  EXPECT_EQ(s.pitch_range()->first, 60);  // the drum note is not a pitch
  EXPECT_EQ(s.pitch_range()->second, 72);
  auto sounding = s.notes_sounding_at(300);
  ASSERT_EQ(sounding.size(), 2u);
  EXPECT_EQ(sounding[0].pitch, 60);
  EXPECT_EQ(sounding[1].pitch, 64);
  EXPECT_TRUE(s.notes_sounding_at(960).size() == 1 && s.notes_sounding_at(960)[0].pitch == 72);
  EXPECT_FALSE(Score().pitch_range().has_value());
}

TEST(Score, TransposeMovesPitchedNotesOnly) {
  Score s;
  s.notes = {make_note(60, 0, 10), make_note(38, 0, 10, kDrumChannel)};
  s.transpose(5);
  s.sort_events();
  EXPECT_EQ(s.notes[0].pitch, 65);
  EXPECT_EQ(s.notes[1].pitch, 38);
}

TEST(Score, TransposeOutOfRangeThrowsAndLeavesScore) {
  Score s;
  s.notes = {make_note(125, 0, 10)};
  EXPECT_FALSE(s.can_transpose(3));
  EXPECT_THROW(s.transpose(3), ConfigError);
  EXPECT_EQ(s.notes[0].pitch, 125);
  EXPECT_TRUE(s.can_transpose(2));
}

TEST(Score, SortEventsOrdersByStartTrackChannelPitch) {
  Score s;
  s.notes = {make_note(62, 10, 20, 0, 1), make_note(60, 10, 20, 0, 0), make_note(50, 0, 5, 3, 2),
             make_note(55, 10, 20, 0, 0)};
  s.sort_events();
  EXPECT_EQ(s.notes[0].pitch, 50);
  EXPECT_EQ(s.notes[1].pitch, 55);
  EXPECT_EQ(s.notes[2].pitch, 60);
  EXPECT_EQ(s.notes[3].pitch, 62);
}

TEST(Score, SameMusicIgnoresDerivedTimesButNotContent) {
  Score a;
  a.notes = {make_note(60, 0, 480)};
  Score b = a;
  b.update_times();
  EXPECT_TRUE(same_music(a, b));
  b.notes[0].velocity = 1;
  EXPECT_FALSE(same_music(a, b));
  Score c = a;
  c.tempos = {{0, 400000}};
  EXPECT_FALSE(same_music(a, c));
}

}  // namespace
}  // namespace musegen
