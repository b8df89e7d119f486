// The tutorial tokenizer's interface: options, encoding through TokenizerInput, the
// tutorial's decoding (fixed spacing, octave-4 chords, piano) and round trips.
#include <gtest/gtest.h>

#include <random>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/writer.h"
#include "tokenize/music21_chord.h"
#include "tokenize/music21_pitch.h"
#include "tokenize/music21_test_events.h"
#include "tokenize/tutorial_tokenizer.h"

namespace musegen::tokenize {
namespace {

using testing::event_file;
using testing::notes_track;
using testing::score_events;

TEST(TutorialTokenizer, DefaultsAreTheTutorials) {
  TutorialTokenizer tokenizer;
  EXPECT_EQ(tokenizer.name(), "tutorial");
  EXPECT_DOUBLE_EQ(tokenizer.spacing_beats(), 0.5);
  EXPECT_DOUBLE_EQ(tokenizer.duration_beats(), 1.0);
  EXPECT_EQ(
      tokenizer.config(),
      (nlohmann::json{{"name", "tutorial"}, {"spacing_beats", 0.5}, {"duration_beats", 1.0}}));
  EXPECT_TRUE(tokenizer.fixed_vocabulary().empty());
}

TEST(TutorialTokenizer, ConfigRebuildsTheSameTokenizer) {
  TutorialTokenizer tokenizer({{"spacing_beats", 0.25}, {"duration_beats", 2.0}});
  TutorialTokenizer copy(tokenizer.config());
  EXPECT_EQ(copy.config(), tokenizer.config());
  EXPECT_DOUBLE_EQ(copy.spacing_beats(), 0.25);
}

TEST(TutorialTokenizer, BadOptionsNameTheirKey) {
  auto key_of = [](const nlohmann::json& options) {
    try {
      TutorialTokenizer tokenizer(options);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(key_of({{"spacing_beats", 0}}), "spacing_beats");
  EXPECT_EQ(key_of({{"spacing_beats", -0.5}}), "spacing_beats");
  EXPECT_EQ(key_of({{"spacing_beats", "half"}}), "spacing_beats");
  EXPECT_EQ(key_of({{"spacing_beats", 2000}}), "spacing_beats");
  EXPECT_EQ(key_of({{"duration_beats", 0.0}}), "duration_beats");
  EXPECT_EQ(key_of({{"spacing", 0.5}}), "spacing");
  EXPECT_EQ(key_of({{"name", "notes"}}), "name");
  EXPECT_EQ(key_of(nlohmann::json::array()), "tutorial");
  EXPECT_EQ(key_of({{"name", "tutorial"}, {"spacing_beats", 1}}), "(accepted)");
}

TEST(TutorialTokenizer, EncodeNeedsTheRawEvents) {
  TutorialTokenizer tokenizer;
  Score score;
  try {
    tokenizer.encode({score, nullptr});
    FAIL() << "encode without events succeeded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "events");
  }
  EventFile events = event_file({notes_track({{61, 0, 480}, {64, 480, 960}, {69, 480, 960}})});
  EXPECT_EQ(tokenizer.encode({score, &events}), (Tokens{"C#4", "4.9"}));
}

TEST(TutorialTokenizer, EncodeErrorsNameTheProblemButNoFile) {
  EventFile events;
  events.format = 2;
  try {
    TutorialTokenizer::encode_events(events);
    FAIL() << "format 2 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("format 2"), std::string::npos) << e.what();
  }
}

TEST(TutorialTokenizer, DecodesAsTheTutorialsCreateMidi) {
  TutorialTokenizer tokenizer;
  Score score = tokenizer.decode({"C#5", "E-4", "B-2", "4.9", "0.4.7"});
  EXPECT_EQ(score.ticks_per_quarter, 480);
  ASSERT_EQ(score.tempos.size(), 1u);
  EXPECT_EQ(score.tempos[0].us_per_quarter, 500000);
  struct Expected {
    int pitch;
    std::int64_t start;
    std::int64_t end;  // music21's default duration: 1 quarter
  };
  const Expected expected[] = {{73, 0, 480},    {63, 240, 720},  {46, 480, 960},
                               {64, 720, 960},  // cut where the next chord strikes E again
                               {69, 720, 1200}, {60, 960, 1440}, {64, 960, 1440},
                               {67, 960, 1440}};
  ASSERT_EQ(score.notes.size(), std::size(expected));
  for (std::size_t i = 0; i < score.notes.size(); ++i) {
    const Note& n = score.notes[i];
    EXPECT_EQ(n.pitch, expected[i].pitch) << i;
    EXPECT_EQ(n.start_ticks, expected[i].start) << i;
    EXPECT_EQ(n.end_ticks, expected[i].end) << i;
    EXPECT_EQ(n.program, 0);
    EXPECT_EQ(n.channel, 0);
    EXPECT_EQ(n.velocity, 90);
  }
  EXPECT_DOUBLE_EQ(score.notes.back().start_sec, 1.0);
}

TEST(TutorialTokenizer, SpacingAndDurationAreOptions) {
  TutorialTokenizer tokenizer({{"spacing_beats", 1.0}, {"duration_beats", 0.25}});
  Score score = tokenizer.decode({"C4", "D4", "E4"});
  ASSERT_EQ(score.notes.size(), 3u);
  EXPECT_EQ(score.notes[2].start_ticks, 960);
  EXPECT_EQ(score.notes[2].end_ticks, 1080);
}

TEST(TutorialTokenizer, MalformedTokensAreSkippedAndTakeNoSlot) {
  TutorialTokenizer tokenizer;
  Score score =
      tokenizer.decode({"C4", "X9", "1..2", "12", "", "<unk>", "4.x", "C#-1", "G#9", "D4", "11"});
  ASSERT_EQ(score.notes.size(), 3u);
  EXPECT_EQ(score.notes[1].pitch, 62);
  EXPECT_EQ(score.notes[1].start_ticks, 240);
  EXPECT_EQ(score.notes[2].pitch, 71);  // "11" is a one-pitch-class chord: B4
}

TEST(TutorialTokenizer, NoteNamesDecodeAsMusic21ReadsThem) {
  TutorialTokenizer tokenizer;
  Score score = tokenizer.decode({"B-1", "E--1"});
  ASSERT_EQ(score.notes.size(), 2u);
  EXPECT_EQ(score.notes[0].pitch, 34);  // also the spelling of MIDI 11
  EXPECT_EQ(score.notes[1].pitch, 26);
}

TEST(TutorialTokenizer, ARestruckPitchEndsTheEarlierNote) {
  TutorialTokenizer tokenizer;  // 1-quarter notes every half quarter overlap
  Score score = tokenizer.decode({"C4", "0.4", "E4"});
  ASSERT_EQ(score.notes.size(), 4u);
  EXPECT_EQ(score.notes[0].end_ticks, 240);  // C4 cut by the chord's C
  EXPECT_EQ(score.notes[1].end_ticks, 720);  // the chord's C
  EXPECT_EQ(score.notes[2].end_ticks, 480);  // the chord's E, cut by E4
  EXPECT_EQ(score.notes[3].end_ticks, 960);
}

// Tokens -> Score -> events -> tokens gives the tokens back when elements do not overlap.
Tokens round_trip(const TutorialTokenizer& tokenizer, const Tokens& tokens) {
  Score score = tokenizer.decode(tokens);
  EventFile events = score_events(score);
  return tokenizer.encode({score, &events});
}

TEST(TutorialTokenizer, RoundTripKeepsEveryNoteFrom12AndEveryChord) {
  TutorialTokenizer tokenizer({{"spacing_beats", 0.5}, {"duration_beats", 0.5}});
  Tokens tokens;
  for (int midi = 12; midi <= 127; ++midi) tokens.push_back(music21_pitch_name(midi));
  for (unsigned mask = 1; mask < 4096; ++mask)
    if ((mask & (mask - 1)) != 0) tokens.push_back(music21_chord_token(mask));  // 2+ classes
  std::shuffle(tokens.begin(), tokens.end(), std::mt19937(7));
  EXPECT_EQ(round_trip(tokenizer, tokens), tokens);
}

// The same through the MIDI writer and reader: tokens -> Score -> .mid bytes -> tokens.
Tokens round_trip_through_midi(const TutorialTokenizer& tokenizer, const Tokens& tokens) {
  Score score = tokenizer.decode(tokens);
  auto bytes = midi::write_bytes(score);
  Diagnostics warnings;
  EventFile events = midi::read_events(bytes, "decoded.mid", {}, warnings);
  EXPECT_TRUE(warnings.empty());
  return tokenizer.encode({score, &events});
}

TEST(TutorialTokenizer, RoundTripThroughMidiFiles) {
  TutorialTokenizer tokenizer(nlohmann::json{{"duration_beats", 0.5}});
  Tokens tokens;
  for (int midi = 12; midi <= 127; ++midi) tokens.push_back(music21_pitch_name(midi));
  for (unsigned mask = 1; mask < 4096; ++mask)
    if ((mask & (mask - 1)) != 0) tokens.push_back(music21_chord_token(mask));
  std::shuffle(tokens.begin(), tokens.end(), std::mt19937(11));
  EXPECT_EQ(round_trip_through_midi(tokenizer, tokens), tokens);
}

TEST(TutorialTokenizer, TheTutorialsOverlappingOutputSplitsOnlyRestruckChords) {
  TutorialTokenizer tokenizer;  // 1-quarter elements every half quarter
  EXPECT_EQ(round_trip_through_midi(tokenizer, {"C4", "D4", "0.4.7", "B4", "4.9", "E4"}),
            (Tokens{"C4", "D4", "0.4.7", "B4", "E4", "A4", "E4"}));
}

TEST(TutorialTokenizer, OnePitchClassChordsComeBackAsNotesInOctave4) {
  TutorialTokenizer tokenizer(nlohmann::json{{"duration_beats", 0.5}});
  EXPECT_EQ(round_trip(tokenizer, {"0", "11", "7.0"}), (Tokens{"C4", "B4", "7.0"}));
}

TEST(TutorialTokenizer, RoundTripWithOtherSpacings) {
  const Tokens tokens = {"C4", "C4", "0.4.7", "7.11.2", "B-1", "G9", "C0", "E-4", "C4"};
  for (double spacing : {0.25, 1.0 / 3.0, 1.0, 4.0}) {
    TutorialTokenizer tokenizer({{"spacing_beats", spacing}, {"duration_beats", spacing}});
    EXPECT_EQ(round_trip(tokenizer, tokens), tokens) << spacing;
  }
}

TEST(TutorialTokenizer, EncodesAScoreBuiltInCode) {
  Score score;
  score.tracks.push_back({"piano"});
  auto add = [&](int pitch, std::int64_t start, std::int64_t end) {
    Note n;
    n.pitch = pitch;
    n.start_ticks = start;
    n.end_ticks = end;
    score.notes.push_back(n);
  };
  add(67, 0, 480);
  add(71, 0, 480);
  add(74, 0, 480);  // G B D
  add(64, 480, 720);
  add(57, 720, 1440);
  add(60, 720, 1440);
  add(64, 720, 1440);  // A C E
  score.sort_events();
  EventFile events = score_events(score);
  EXPECT_EQ(TutorialTokenizer().encode({score, &events}), (Tokens{"7.11.2", "E4", "9.0.4"}));
}

}  // namespace
}  // namespace musegen::tokenize
