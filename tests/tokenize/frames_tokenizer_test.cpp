// The `frames` tokenizer on Scores built in code: literal frames, sampling at frame starts,
// frame counts, piano-roll round trips, grids that do not divide the resolution (against a
// brute-force sampler), pitch range handling and robust decoding.
#include "tokenize/frames_tokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/errors.h"
#include "tokenize/score_builder.h"

namespace musegen::tokenize {
namespace {

using J = nlohmann::json;

using musegen::testing::add_note;
using musegen::testing::finished;
using musegen::testing::make_score;

TEST(FramesTokenizer, OneFramePerQuarterGivesLiteralTokens) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 960);
  add_note(s, 64, 80, 480, 960);
  add_note(s, 67, 80, 960, 1440);
  add_note(s, 55, 80, 960, 1440);
  FramesTokenizer t;
  EXPECT_EQ(t.encode({finished(s)}),
            (Tokens{"p:60", "|", "p:60", "p:64", "|", "p:55", "p:67", "|"}));
}

TEST(FramesTokenizer, FramesSampleTheMusicAtTheirStart) {
  Score s = make_score(480);
  add_note(s, 60, 80, 240, 400);  // between two quarter-note frames: never sampled
  add_note(s, 62, 80, 240, 720);  // sounds at 480
  add_note(s, 64, 80, 1000, 1440);
  s = finished(s);
  EXPECT_EQ(FramesTokenizer().encode({s}), (Tokens{"|", "p:62", "|", "|"}));
  // Two frames per quarter: frames at 0, 240, 480, ..., 1200.
  EXPECT_EQ(FramesTokenizer(J{{"frames_per_quarter", 2}}).encode({s}),
            (Tokens{"|", "p:60", "p:62", "|", "p:62", "|", "|", "|", "p:64", "|"}));
}

TEST(FramesTokenizer, FrameCountRoundsTheEndUpAndHonoursEndOfTrack) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 481);
  s = finished(s);
  FramesTokenizer t;
  EXPECT_EQ(t.frames(s).size(), 2u);
  EventFile events;
  events.tracks.resize(2);
  events.tracks[0].end_tick = 100;
  events.tracks[1].end_tick = 1920;  // silent frames 2 and 3 marked by End-of-Track
  EXPECT_EQ(t.encode({s, &events}), (Tokens{"p:60", "|", "p:60", "|", "|", "|"}));
  EXPECT_TRUE(t.encode({make_score()}).empty());
}

// A piano roll written as the benchmark writes it: a key down in consecutive frames is one
// held note of 480 ticks per frame.
Score score_of_roll(const std::vector<std::set<int>>& roll) {
  Score s = make_score(480);
  for (int p = 0; p < 128; ++p) {
    std::int64_t since = -1;
    for (std::size_t k = 0; k <= roll.size(); ++k) {
      const bool on = k < roll.size() && roll[k].count(p);
      if (on && since < 0) since = static_cast<std::int64_t>(k);
      if (!on && since >= 0) {
        add_note(s, p, 80, since * 480, static_cast<std::int64_t>(k) * 480);
        since = -1;
      }
    }
  }
  return finished(s);
}

TEST(FramesTokenizer, PianoRollsComeBackExactly) {
  std::mt19937 rng(1);
  std::bernoulli_distribution down(0.08);
  std::vector<std::set<int>> roll(64);
  for (auto& frame : roll)
    for (int p = 21; p <= 108; ++p)
      if (down(rng)) frame.insert(p);
  roll.back().insert(60);  // a sounding last frame, so the decoded Score keeps every frame
  const Score s = score_of_roll(roll);
  FramesTokenizer t;
  const auto frames = t.frames(s);
  ASSERT_EQ(frames.size(), roll.size());
  for (std::size_t k = 0; k < roll.size(); ++k)
    for (int p = 0; p < 128; ++p) EXPECT_EQ(frames[k].test(p), roll[k].count(p) == 1);
  const Tokens tokens = t.tokens_of(frames);
  const Score back = t.decode(tokens);
  ASSERT_EQ(back.notes.size(), s.notes.size());
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    EXPECT_EQ(back.notes[i].pitch, s.notes[i].pitch);
    EXPECT_EQ(back.notes[i].start_ticks, s.notes[i].start_ticks);
    EXPECT_EQ(back.notes[i].end_ticks, s.notes[i].end_ticks);
    EXPECT_EQ(back.notes[i].velocity, 80);
  }
  EXPECT_EQ(t.encode({back}), tokens);
}

// The definition, evaluated literally for every frame and note.
std::vector<Frame> brute_force_frames(const Score& s, int fpq, int lo, int hi) {
  std::int64_t end = s.end_ticks();
  std::int64_t n = 0;
  while (n * s.ticks_per_quarter < end * fpq) ++n;  // ceil(end * fpq / tpq)
  std::vector<Frame> frames(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t tick = k * s.ticks_per_quarter / fpq;
    for (const auto& note : s.notes)
      if (note.start_ticks <= tick && tick < note.end_ticks && note.pitch >= lo && note.pitch <= hi)
        frames[static_cast<std::size_t>(k)].set(note.pitch);
  }
  return frames;
}

TEST(FramesTokenizer, AnyGridMatchesABruteForceSampler) {
  std::mt19937 rng(2);
  for (int tpq : {480, 96, 100, 7}) {
    for (int fpq : {1, 3, 4, 7, 24}) {
      Score s = make_score(tpq, 2);
      std::uniform_int_distribution<int> pitch(0, 127);
      std::uniform_int_distribution<std::int64_t> start(0, 30LL * tpq), len(0, 4LL * tpq);
      for (int i = 0; i < 120; ++i) {
        auto a = start(rng);
        add_note(s, pitch(rng), 80, a, a + len(rng), i % 2);
      }
      s = finished(s);
      FramesTokenizer t(J{{"frames_per_quarter", fpq}});
      EXPECT_EQ(t.frames(s), brute_force_frames(s, fpq, 21, 108)) << tpq << " " << fpq;
    }
  }
}

TEST(FramesTokenizer, PitchesOutsideTheRangeAreDroppedOrFolded) {
  Score s = make_score(480);
  add_note(s, 10, 80, 0, 480);  // below A0
  add_note(s, 60, 80, 0, 480);
  add_note(s, 120, 80, 0, 480);  // above C8
  s = finished(s);
  EXPECT_EQ(FramesTokenizer().encode({s}), (Tokens{"p:60", "|"}));
  EXPECT_EQ(FramesTokenizer(J{{"out_of_range", "fold"}}).encode({s}),
            (Tokens{"p:22", "p:60", "p:108", "|"}));
  EXPECT_EQ(FramesTokenizer(J{{"min_pitch", 0}, {"max_pitch", 127}}).encode({s}),
            (Tokens{"p:10", "p:60", "p:120", "|"}));
}

TEST(FramesTokenizer, DrumsAndTracksAreSelected) {
  Score s = make_score(480, 2);
  add_note(s, 60, 80, 0, 480, 0);
  add_note(s, 38, 80, 0, 480, 1, kDrumChannel);
  s = finished(s);
  EXPECT_EQ(FramesTokenizer().encode({s}), (Tokens{"p:60", "|"}));
  EXPECT_EQ(FramesTokenizer(J{{"drums", true}}).encode({s}), (Tokens{"p:38", "p:60", "|"}));
  EXPECT_EQ(FramesTokenizer(J{{"track", 1}, {"drums", true}}).encode({s}), (Tokens{"p:38", "|"}));
}

TEST(FramesTokenizer, DecodingSkipsJunkAndClosesATrailingFrame) {
  FramesTokenizer t(J{{"frames_per_quarter", 4}});
  // Frame 0: 60 and 64 (unordered, 64 repeated); frame 1: 60; frame 2 silent; frame 3: 62
  // without a closing "|".
  Score back = t.decode(
      {"p:64", "p:60", "p:64", "p:200", "p:5", "x", "|", "p:60", "<end>", "|", "|", "p:62"});
  ASSERT_EQ(back.notes.size(), 3u);
  EXPECT_EQ(back.ticks_per_quarter, 480);
  EXPECT_EQ(back.notes[0].pitch, 60);
  EXPECT_EQ(back.notes[0].end_ticks, 240);
  EXPECT_EQ(back.notes[1].pitch, 64);
  EXPECT_EQ(back.notes[1].end_ticks, 120);
  EXPECT_EQ(back.notes[2].pitch, 62);
  EXPECT_EQ(back.notes[2].start_ticks, 360);
  EXPECT_EQ(back.notes[2].end_ticks, 480);
  EXPECT_EQ(FramesTokenizer(J{{"frames_per_quarter", 7}}).decode({"p:60", "|"}).ticks_per_quarter,
            483);
}

TEST(FramesTokenizer, FixedVocabularyIs88KeysAndEndOfFrame) {
  const Tokens table = FramesTokenizer().fixed_vocabulary();
  ASSERT_EQ(table.size(), 89u);
  EXPECT_EQ(table.front(), "p:21");
  EXPECT_EQ(table[87], "p:108");
  EXPECT_EQ(table.back(), "|");
}

TEST(FramesTokenizer, ConfigRoundTripsAndOptionsAreValidated) {
  FramesTokenizer t(J{{"frames_per_quarter", 4}, {"out_of_range", "fold"}, {"min_pitch", 36}});
  EXPECT_EQ(FramesTokenizer(t.config()).config(), t.config());
  auto key_of = [](const nlohmann::json& options) -> std::string {
    try {
      FramesTokenizer bad(options);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return "(accepted)";
  };
  EXPECT_EQ(key_of({{"frames_per_quarter", 0}}), "frames_per_quarter");
  EXPECT_EQ(key_of({{"min_pitch", 60}, {"max_pitch", 59}}), "max_pitch");
  EXPECT_EQ(key_of({{"out_of_range", "clip"}}), "out_of_range");
  EXPECT_EQ(key_of({{"out_of_range", "fold"}, {"min_pitch", 60}, {"max_pitch", 70}}),
            "out_of_range");
  EXPECT_EQ(key_of({{"end_token", "|"}}), "end_token");
}

TEST(FramesTokenizer, SmpteScoresUseTheirSecondsAt120Bpm) {
  Score s;
  s.smpte_ticks_per_sec = 100;  // a quarter note is 50 ticks
  s.tracks.push_back(Track{"smpte"});
  add_note(s, 60, 80, 50, 100);
  EXPECT_EQ(FramesTokenizer().encode({finished(s)}), (Tokens{"|", "p:60", "|"}));
}

TEST(FramesTokenizer, AbsurdLengthIsAnErrorNotAnOutOfMemory) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 480LL << 30);
  EXPECT_THROW(FramesTokenizer().encode({finished(s)}), ConfigError);
}

}  // namespace
}  // namespace musegen::tokenize
