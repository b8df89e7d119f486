// The `notes` tokenizer on Scores built in code: literal tokens, quantisation, chords, long
// shifts and durations, velocity bins, note selection, exact decoding and robustness.
#include "tokenize/notes_tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include "core/errors.h"
#include "tokenize/score_builder.h"
#include "tokenize/token_utils.h"

namespace musegen::tokenize {
namespace {

using J = nlohmann::json;

using musegen::testing::add_note;
using musegen::testing::finished;
using musegen::testing::make_score;

Tokens encode(const NotesTokenizer& t, const Score& s) {
  return t.encode({s});
}

TEST(NotesTokenizer, MelodyAndChordGiveLiteralTokens) {
  Score s = make_score(480);
  add_note(s, 60, 90, 0, 480);      // quarter
  add_note(s, 67, 90, 480, 1440);   // chord: G4 half,
  add_note(s, 64, 90, 480, 960);    //        E4 quarter (inserted out of order)
  add_note(s, 69, 90, 2480, 2640);  // after a long rest: 62 steps, a triplet eighth
  add_note(s, 71, 90, 2640, 2800);  // next triplet eighth
  NotesTokenizer t;
  EXPECT_EQ(encode(t, finished(s)), (Tokens{"p:60", "d:12", "t:12", "p:64", "d:12", "p:67", "d:24",
                                            "t:48", "t:2", "p:69", "d:4", "t:4", "p:71", "d:4"}));
}

TEST(NotesTokenizer, LeadingSilenceIsAShiftFromZero) {
  Score s = make_score(96);
  add_note(s, 50, 80, 192, 288);  // starts on beat 3
  NotesTokenizer t;
  EXPECT_EQ(encode(t, finished(s)), (Tokens{"t:24", "p:50", "d:12"}));
}

TEST(NotesTokenizer, QuantisesToTheNearestStepHalvesUp) {
  Score s = make_score(480);     // 40 ticks per step
  add_note(s, 60, 80, 19, 100);  // 0.475 -> 0, end 2.5 -> 3
  add_note(s, 62, 80, 20, 60);   // 0.5 -> 1 (half up), end 1.5 -> 2
  add_note(s, 64, 80, 81, 85);   // shorter than a step: one step
  NotesTokenizer t;
  auto grid = t.quantize(finished(s));
  ASSERT_EQ(grid.size(), 3u);
  EXPECT_EQ(grid[0], (GridNote{0, 60, 3, 0}));
  EXPECT_EQ(grid[1], (GridNote{1, 62, 1, 0}));
  EXPECT_EQ(grid[2], (GridNote{2, 64, 1, 0}));
}

TEST(NotesTokenizer, LongDurationsAndShiftsRepeatTheirLargestToken) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 250 * 40);         // 250 steps: 96 + 96 + 58
  add_note(s, 61, 80, 100 * 40, 101 * 40);  // 100 steps later: 48 + 48 + 4
  add_note(s, 62, 80, 196 * 40, 197 * 40);  // exactly 96 steps later: 48 + 48
  NotesTokenizer t;
  const Tokens tokens = encode(t, finished(s));
  EXPECT_EQ(tokens, (Tokens{"p:60", "d:96", "d:96", "d:58", "t:48", "t:48", "t:4", "p:61", "d:1",
                            "t:48", "t:48", "p:62", "d:1"}));
  EXPECT_EQ(t.grid_notes_of(tokens), t.quantize(finished(s)));
}

TEST(NotesTokenizer, SameOnsetAndPitchKeepsTheLongestNote) {
  Score s = make_score(480, 2);
  add_note(s, 60, 80, 0, 480, 0);
  add_note(s, 60, 100, 0, 960, 1);  // doubled in another track, longer
  add_note(s, 60, 80, 5, 200, 1);   // quantises onto the same onset, shorter
  NotesTokenizer t;
  EXPECT_EQ(encode(t, finished(s)), (Tokens{"p:60", "d:24"}));
}

TEST(NotesTokenizer, VelocityBinsAreWrittenWhenTheyChange) {
  NotesTokenizer t(J{{"velocity_bins", 8}});  // bins of 16 velocities
  Score s = make_score(480);
  add_note(s, 60, 100, 0, 480);     // bin 7
  add_note(s, 64, 110, 0, 480);     // bin 7: no new token
  add_note(s, 67, 20, 480, 960);    // bin 2
  add_note(s, 72, 127, 960, 1440);  // bin 8
  const Tokens tokens = encode(t, finished(s));
  EXPECT_EQ(tokens, (Tokens{"v:7", "p:60", "d:12", "p:64", "d:12", "t:12", "v:2", "p:67", "d:12",
                            "t:12", "v:8", "p:72", "d:12"}));
  Score back = t.decode(tokens);
  ASSERT_EQ(back.notes.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(velocity_to_bin(back.notes[i].velocity, 8),
              velocity_to_bin(finished(s).notes[i].velocity, 8));
}

TEST(NotesTokenizer, WithoutVelocityBinsDecodesTheConfiguredVelocity) {
  NotesTokenizer t(J{{"velocity", 70}});
  Score back = t.decode({"p:60", "d:12"});
  ASSERT_EQ(back.notes.size(), 1u);
  EXPECT_EQ(back.notes[0].velocity, 70);
  EXPECT_EQ(t.decode({"v:3", "p:60", "d:12"}).notes[0].velocity, 70);  // v: not ours here
}

TEST(NotesTokenizer, SelectsTracksAndDrums) {
  Score s = make_score(480, 2);
  add_note(s, 60, 80, 0, 480, 0);
  add_note(s, 48, 80, 0, 480, 1);
  add_note(s, 36, 80, 480, 960, 1, kDrumChannel);
  s = finished(s);
  EXPECT_EQ(encode(NotesTokenizer(), s), (Tokens{"p:48", "d:12", "p:60", "d:12"}));
  EXPECT_EQ(encode(NotesTokenizer(J{{"track", 1}}), s), (Tokens{"p:48", "d:12"}));
  EXPECT_EQ(encode(NotesTokenizer(J{{"track", 1}, {"drums", true}}), s),
            (Tokens{"p:48", "d:12", "t:12", "p:36", "d:12"}));
}

// Random music at an arbitrary resolution: onsets anywhere, overlaps, chords, doubled notes.
Score random_score(std::mt19937& rng, int ticks_per_quarter, int n_notes) {
  Score s = make_score(ticks_per_quarter, 3);
  std::uniform_int_distribution<int> pitch(0, 127), velocity(1, 127), track(0, 2);
  std::uniform_int_distribution<std::int64_t> start(0, 40LL * ticks_per_quarter),
      length(0, 9LL * ticks_per_quarter);
  for (int i = 0; i < n_notes; ++i) {
    auto t0 = start(rng);
    add_note(s, pitch(rng), velocity(rng), t0, t0 + length(rng), track(rng));
  }
  return finished(s);
}

TEST(NotesTokenizer, DecodingGivesBackTheQuantisedMusicExactly) {
  std::mt19937 rng(7);
  for (int tpq : {480, 96, 384, 1000, 25}) {
    for (int velocity_bins : {0, 4, 32}) {
      NotesTokenizer t(
          {{"velocity_bins", velocity_bins}, {"max_shift_steps", 16}, {"max_duration_steps", 30}});
      Score s = random_score(rng, tpq, 300);
      const auto expected = t.quantize(s);
      const Tokens tokens = encode(t, s);
      const Score back = t.decode(tokens);
      EXPECT_EQ(t.quantize(back), expected) << "tpq " << tpq << " bins " << velocity_bins;
      EXPECT_EQ(encode(t, back), tokens);
      // Decoded ticks are the grid steps exactly.
      ASSERT_EQ(back.notes.size(), expected.size());
      const std::int64_t tps = back.ticks_per_quarter / 12;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(back.notes[i].start_ticks, expected[i].onset_steps * tps);
        EXPECT_EQ(back.notes[i].duration_ticks(), expected[i].duration_steps * tps);
        EXPECT_EQ(back.notes[i].pitch, expected[i].pitch);
      }
    }
  }
}

TEST(NotesTokenizer, MusicOnTheGridComesBackUnchanged) {
  std::mt19937 rng(3);
  Score s = make_score(480);
  std::uniform_int_distribution<int> pitch(21, 108), step(0, 400), steps(1, 120);
  std::set<std::pair<int, int>> used;  // (onset, pitch) must be distinct
  for (int i = 0; i < 200; ++i) {
    int onset = step(rng), p = pitch(rng);
    if (!used.insert({onset, p}).second) continue;
    add_note(s, p, 80, onset * 40, (onset + steps(rng)) * 40);
  }
  s = finished(s);
  Score back = NotesTokenizer().decode(encode(NotesTokenizer(), s));
  ASSERT_EQ(back.ticks_per_quarter, 480);
  ASSERT_EQ(back.notes.size(), s.notes.size());
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    const auto &a = s.notes[i], &b = back.notes[i];
    EXPECT_EQ(std::tie(a.start_ticks, a.end_ticks, a.pitch, a.velocity),
              std::tie(b.start_ticks, b.end_ticks, b.pitch, b.velocity));
  }
}

TEST(NotesTokenizer, GridsThatDoNotDivide480DecodeOnWholeTicks) {
  NotesTokenizer t(J{{"steps_per_quarter", 7}});
  Score back = t.decode({"t:3", "p:60", "d:5"});
  EXPECT_EQ(back.ticks_per_quarter, 483);
  ASSERT_EQ(back.notes.size(), 1u);
  EXPECT_EQ(back.notes[0].start_ticks, 3 * 69);
  EXPECT_EQ(back.notes[0].end_ticks, 8 * 69);
  EXPECT_DOUBLE_EQ(back.notes[0].start_beats, 3.0 / 7.0);
}

TEST(NotesTokenizer, SmpteScoresUseTheirSecondsAt120Bpm) {
  Score s;
  s.smpte_ticks_per_sec = 1000;  // a quarter note (0.5 s) is 500 ticks
  s.tracks.push_back(Track{"smpte"});
  add_note(s, 60, 80, 500, 1000);
  EXPECT_EQ(encode(NotesTokenizer(), finished(s)), (Tokens{"t:12", "p:60", "d:12"}));
}

TEST(NotesTokenizer, DecodingSkipsMalformedAndOutOfPlaceTokens) {
  NotesTokenizer t;
  const Tokens tokens = {"d:5",                    // duration without a pitch
                         "p:60", "<unk>", "d:12",  // an unknown token inside a note: ignored
                         "p:61",                   // pitch without duration: dropped
                         "t:0",  "t:-1",  "t:+3", "t:49", "t: 2", "p:128", "d:97",
                         "x",    "",      "t:12", "p:62", "d:96", "d:4",   "<end>"};
  auto notes = t.grid_notes_of(tokens);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], (GridNote{0, 60, 12, 0}));
  EXPECT_EQ(notes[1], (GridNote{12, 62, 100, 0}));
  EXPECT_TRUE(t.decode({}).notes.empty());
}

TEST(NotesTokenizer, FixedVocabularyCoversEveryEncodedToken) {
  NotesTokenizer t(J{{"velocity_bins", 16}});
  const Tokens table = t.fixed_vocabulary();
  EXPECT_EQ(table.size(), 48u + 128u + 96u + 16u);
  EXPECT_EQ(std::set<std::string>(table.begin(), table.end()).size(), table.size());
  EXPECT_EQ(table.front(), "t:1");
  EXPECT_EQ(table.back(), "v:16");
  std::mt19937 rng(11);
  const std::set<std::string> known(table.begin(), table.end());
  for (const auto& token : encode(t, random_score(rng, 480, 500)))
    EXPECT_TRUE(known.count(token)) << token;
}

TEST(NotesTokenizer, ConfigRoundTripsAndOptionsAreValidated) {
  NotesTokenizer t(J{{"steps_per_quarter", 4}, {"velocity_bins", 8}, {"track", 2}});
  NotesTokenizer again(t.config());
  EXPECT_EQ(again.config(), t.config());
  EXPECT_EQ(t.config().at("name"), "notes");
  EXPECT_EQ(t.config().at("steps_per_quarter"), 4);
  auto key_of = [](const nlohmann::json& options) -> std::string {
    try {
      NotesTokenizer bad(options);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return "(accepted)";
  };
  EXPECT_EQ(key_of({{"steps_per_quarter", 0}}), "steps_per_quarter");
  EXPECT_EQ(key_of({{"steps_per_quarter", 12.5}}), "steps_per_quarter");
  EXPECT_EQ(key_of({{"steps_per_quarter", "12"}}), "steps_per_quarter");
  EXPECT_EQ(key_of({{"max_shift_steps", 5000}}), "max_shift_steps");
  EXPECT_EQ(key_of({{"velocity_bins", -1}}), "velocity_bins");
  EXPECT_EQ(key_of({{"drums", 1}}), "drums");
  EXPECT_EQ(key_of({{"grid", 12}}), "grid");
}

TEST(NotesTokenizer, AbsurdTimingIsAnErrorNotAnOutOfMemory) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 480);
  add_note(s, 62, 80, 480LL << 30, (480LL << 30) + 480);  // a billion quarter notes later
  EXPECT_THROW(encode(NotesTokenizer(), finished(s)), ConfigError);
}

}  // namespace
}  // namespace musegen::tokenize
