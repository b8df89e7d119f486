// The `performance` tokenizer on Scores built in code: Magenta's event order, tempo-map
// timing, 10 ms quantisation, velocity bins, Magenta's decoding rules and robustness.
#include "tokenize/performance_tokenizer.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "core/errors.h"
#include "tokenize/score_builder.h"
#include "tokenize/token_utils.h"

namespace musegen::tokenize {
namespace {

using J = nlohmann::json;

using musegen::testing::add_note;
using musegen::testing::finished;
using musegen::testing::make_score;

// 120 bpm at 480 ticks per quarter: one second is 960 ticks.
constexpr std::int64_t kSec = 960;

Score magenta_example() {
  // performance_lib_test.testFromQuantizedNoteSequence: (pitch, velocity, start s, end s).
  Score s = make_score(480);
  add_note(s, 60, 100, 0 * kSec, 4 * kSec);
  add_note(s, 64, 100, 0 * kSec, 3 * kSec);
  add_note(s, 67, 127, 1 * kSec, 2 * kSec);
  return finished(s);
}

TEST(PerformanceTokenizer, MagentaExampleWithoutVelocity) {
  PerformanceTokenizer t(J{{"velocity_bins", 0}});
  EXPECT_EQ(t.encode({magenta_example()}),
            (Tokens{"on:60", "on:64", "shift:100", "on:67", "shift:100", "off:67", "shift:100",
                    "off:64", "shift:100", "off:60"}));
}

TEST(PerformanceTokenizer, MagentaExampleWithVelocityBins) {
  PerformanceTokenizer t;  // 32 bins of 4 velocities: 100 -> 25, 127 -> 32
  EXPECT_EQ(t.encode({magenta_example()}),
            (Tokens{"vel:25", "on:60", "on:64", "shift:100", "vel:32", "on:67", "shift:100",
                    "off:67", "shift:100", "off:64", "shift:100", "off:60"}));
}

TEST(PerformanceTokenizer, TimesGoThroughTheTempoMap) {
  Score s = make_score(480);
  s.tempos.push_back(TempoChange{960, 1000000});  // 60 bpm from 1 s on
  add_note(s, 60, 64, 1440, 1920);
  add_note(s, 62, 64, 960 + 240, 960 + 264);  // 1.5 s .. 1.55 s
  PerformanceTokenizer t(J{{"velocity_bins", 0}});
  // 1 s at 120 bpm, then a quarter note per second: 60 sounds from 2.0 s to 3.0 s.
  EXPECT_EQ(t.encode({finished(s)}), (Tokens{"shift:100", "shift:50", "on:62", "shift:5", "off:62",
                                             "shift:45", "on:60", "shift:100", "off:60"}));
}

TEST(PerformanceTokenizer, RoundsToTheNearestStepAndKeepsAtLeastOneStep) {
  Score s = make_score(500);    // 120 bpm: 1 tick = 1 ms
  add_note(s, 60, 64, 4, 16);   // 4 ms -> 0, 16 ms -> 2
  add_note(s, 62, 64, 26, 28);  // 26 ms -> 3, 28 ms -> 3 -> one step: 4
  PerformanceTokenizer t(J{{"velocity_bins", 0}});
  auto notes = t.quantize(finished(s));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], (PerformanceNote{0, 2, 60, 0}));
  EXPECT_EQ(notes[1], (PerformanceNote{3, 4, 62, 0}));
}

TEST(PerformanceTokenizer, NoteOffsPrecedeNoteOnsInTheSameStep) {
  Score s = make_score(500);
  add_note(s, 62, 64, 100, 200);
  add_note(s, 60, 64, 0, 100);  // ends where the other starts
  PerformanceTokenizer t(J{{"velocity_bins", 0}});
  EXPECT_EQ(t.encode({finished(s)}),
            (Tokens{"on:60", "shift:10", "off:60", "on:62", "shift:10", "off:62"}));
}

TEST(PerformanceTokenizer, LongGapsRepeatTheLongestShift) {
  Score s = make_score(480);
  add_note(s, 60, 64, 0, 2 * kSec + kSec / 2);
  PerformanceTokenizer t(J{{"velocity_bins", 0}});
  EXPECT_EQ(t.encode({finished(s)}),
            (Tokens{"on:60", "shift:100", "shift:100", "shift:50", "off:60"}));
}

TEST(PerformanceTokenizer, DecodingFollowsMagentaRules) {
  PerformanceTokenizer t;
  // FIFO per pitch; a zero-length note and an unmatched off dropped; a note left on ends at
  // the final time; a note-on at the very end has no length; junk skipped.
  auto notes =
      t.notes_of({"vel:20",   "on:60",  "shift:10", "on:60",   "shift:10",  "off:60", "off:61",
                  "on:62",    "off:62", "bogus",    "shift:0", "shift:101", "vel:33", "on:128",
                  "shift:10", "off:60", "vel:2",    "on:64",   "shift:5",   "on:65"});
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0], (PerformanceNote{0, 20, 60, 20}));
  EXPECT_EQ(notes[1], (PerformanceNote{10, 30, 60, 20}));
  EXPECT_EQ(notes[2], (PerformanceNote{30, 35, 64, 2}));
}

TEST(PerformanceTokenizer, DecodedScoreHasMillisecondTicks) {
  PerformanceTokenizer t;
  Score back = t.decode({"on:60", "shift:25", "vel:32", "on:64", "shift:100", "off:60", "off:64"});
  EXPECT_EQ(back.ticks_per_quarter, 500);
  ASSERT_EQ(back.notes.size(), 2u);
  EXPECT_EQ(back.notes[0].start_ticks, 0);
  EXPECT_EQ(back.notes[0].end_ticks, 1250);
  EXPECT_EQ(back.notes[0].velocity, 100);  // before any vel: token, Magenta's default
  EXPECT_DOUBLE_EQ(back.notes[0].end_sec, 1.25);
  EXPECT_EQ(back.notes[1].start_ticks, 250);
  EXPECT_EQ(back.notes[1].velocity, 125);  // bin 32 -> Magenta's 1 + 31 * 4
  EXPECT_DOUBLE_EQ(PerformanceTokenizer(J{{"steps_per_second", 7}})
                       .decode({"on:1", "shift:1"})
                       .notes.at(0)
                       .end_sec,
                   1.0 / 7.0);
}

// Random piano music at 384 ticks per quarter under a changing tempo; notes at least 20 ms
// long and a pitch never re-struck within 20 ms of its previous end.
Score random_performance(std::mt19937& rng) {
  Score s = make_score(384);
  s.tempos = {{0, 500000}, {3000, 350000}, {7000, 900000}, {9001, 611111}};
  s.update_times();
  std::uniform_int_distribution<int> pitch(21, 108), velocity(1, 127);
  std::uniform_real_distribution<double> start(0, 30), length(0.02, 2.0);
  std::map<int, std::vector<std::pair<double, double>>> busy;
  for (int i = 0; i < 600; ++i) {
    const double a = start(rng), b = a + length(rng);
    const int p = pitch(rng);
    bool clash = false;
    for (auto [x, y] : busy[p]) clash = clash || (a < y + 0.02 && x < b + 0.02);
    if (clash) continue;
    busy[p].emplace_back(a, b);
    add_note(s, p, velocity(rng), s.seconds_to_ticks(a), s.seconds_to_ticks(b));
  }
  return finished(s);
}

TEST(PerformanceTokenizer, DecodingGivesTimingWithin10MsAndVelocityToItsBin) {
  std::mt19937 rng(5);
  PerformanceTokenizer t;
  for (int trial = 0; trial < 3; ++trial) {
    const Score s = random_performance(rng);
    const Score back = t.decode(t.encode({s}));
    ASSERT_EQ(back.notes.size(), s.notes.size());
    // Per pitch the notes keep their order (no same-pitch overlaps).
    std::map<int, std::vector<const Note*>> original, decoded;
    for (const auto& n : s.notes) original[n.pitch].push_back(&n);
    for (const auto& n : back.notes) decoded[n.pitch].push_back(&n);
    for (const auto& [p, list] : original) {
      ASSERT_EQ(decoded[p].size(), list.size()) << "pitch " << p;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const Note &a = *list[i], &b = *decoded[p][i];
        EXPECT_NEAR(b.start_sec, a.start_sec, 0.005 + 1e-9);
        EXPECT_NEAR(b.end_sec, a.end_sec, 0.005 + 1e-9);
        EXPECT_EQ(velocity_to_bin(b.velocity, 32), velocity_to_bin(a.velocity, 32));
      }
    }
    // What the representation keeps comes back exactly: the decoded music decodes the same.
    EXPECT_EQ(t.notes_of(t.encode({back})), t.notes_of(t.encode({s})));
  }
}

TEST(PerformanceTokenizer, SelectsTracksAndDrums) {
  Score s = make_score(500, 2);
  add_note(s, 60, 64, 0, 10, 0);
  add_note(s, 36, 64, 0, 10, 1, kDrumChannel);
  s = finished(s);
  PerformanceTokenizer plain(J{{"velocity_bins", 0}});
  EXPECT_EQ(plain.encode({s}), (Tokens{"on:60", "shift:1", "off:60"}));
  PerformanceTokenizer drums(J{{"velocity_bins", 0}, {"drums", true}, {"track", 1}});
  EXPECT_EQ(drums.encode({s}), (Tokens{"on:36", "shift:1", "off:36"}));
}

TEST(PerformanceTokenizer, FixedVocabularyIsMagentas388Events) {
  PerformanceTokenizer t;
  const Tokens table = t.fixed_vocabulary();
  ASSERT_EQ(table.size(), 388u);
  EXPECT_EQ(table[0], "on:0");
  EXPECT_EQ(table[127], "on:127");
  EXPECT_EQ(table[128], "off:0");
  EXPECT_EQ(table[256], "shift:1");
  EXPECT_EQ(table[355], "shift:100");
  EXPECT_EQ(table[356], "vel:1");
  EXPECT_EQ(table[387], "vel:32");
  const std::set<std::string> known(table.begin(), table.end());
  EXPECT_EQ(known.size(), table.size());
  std::mt19937 rng(9);
  for (const auto& token : t.encode({random_performance(rng)}))
    EXPECT_TRUE(known.count(token)) << token;
  EXPECT_EQ(PerformanceTokenizer(J{{"velocity_bins", 0}}).fixed_vocabulary().size(), 356u);
}

TEST(PerformanceTokenizer, ConfigRoundTripsAndOptionsAreValidated) {
  PerformanceTokenizer t(J{{"steps_per_second", 50}, {"velocity_bins", 16}});
  EXPECT_EQ(PerformanceTokenizer(t.config()).config(), t.config());
  EXPECT_EQ(t.config().at("name"), "performance");
  EXPECT_THROW(PerformanceTokenizer(J{{"steps_per_second", 0}}), ConfigError);
  EXPECT_THROW(PerformanceTokenizer(J{{"velocity_bins", 128}}), ConfigError);
  EXPECT_THROW(PerformanceTokenizer(J{{"sustain", true}}), ConfigError);
  EXPECT_THROW((PerformanceTokenizer(nlohmann::json::array())), ConfigError);
}

TEST(PerformanceTokenizer, AbsurdTimingIsAnErrorNotAnOutOfMemory) {
  Score s = make_score(480);
  add_note(s, 60, 80, 0, 480LL << 32);
  EXPECT_THROW(PerformanceTokenizer().encode({finished(s)}), ConfigError);
}

}  // namespace
}  // namespace musegen::tokenize
