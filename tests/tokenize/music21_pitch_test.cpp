// Rule R8 of music21-tokens.md (pitch spelling) and music21's reading of note names.
#include <gtest/gtest.h>

#include "tokenize/music21_pitch.h"

namespace musegen::tokenize {
namespace {

TEST(Music21Pitch, SpellsEveryPitchClassAsMusic21Does) {
  const char* expected[12] = {"C4",  "C#4", "D4",  "E-4", "E4",  "F4",
                              "F#4", "G4",  "G#4", "A4",  "B-4", "B4"};
  for (int pc = 0; pc < 12; ++pc) EXPECT_EQ(music21_pitch_name(60 + pc), expected[pc]);
}

TEST(Music21Pitch, OctaveIsMidiDividedBy12MinusOne) {
  EXPECT_EQ(music21_pitch_name(73), "C#5");
  EXPECT_EQ(music21_pitch_name(46), "B-2");
  EXPECT_EQ(music21_pitch_name(0), "C-1");
  EXPECT_EQ(music21_pitch_name(127), "G9");
  EXPECT_EQ(music21_pitch_name(12), "C0");
}

TEST(Music21Pitch, BottomOctaveSpellingsAreAmbiguousAsInMusic21) {
  EXPECT_EQ(music21_pitch_name(11), "B-1");  // B natural, octave -1
  EXPECT_EQ(music21_pitch_name(34), "B-1");  // B flat, octave 1
  EXPECT_EQ(music21_pitch_name(3), "E--1");
}

TEST(Music21Pitch, ParsesNamesAsMusic21Reads) {
  EXPECT_EQ(music21_parse_pitch("C4"), 60);
  EXPECT_EQ(music21_parse_pitch("C#5"), 73);
  EXPECT_EQ(music21_parse_pitch("E-4"), 63);
  EXPECT_EQ(music21_parse_pitch("B-2"), 46);
  EXPECT_EQ(music21_parse_pitch("G9"), 127);
  EXPECT_EQ(music21_parse_pitch("c4"), 60);    // music21 upper-cases the step
  EXPECT_EQ(music21_parse_pitch(" D4 "), 62);  // and strips whitespace
  EXPECT_EQ(music21_parse_pitch("F"), 65);     // no octave: octave 4
  EXPECT_EQ(music21_parse_pitch("C##4"), 62);
  EXPECT_EQ(music21_parse_pitch("D--4"), 60);
  EXPECT_EQ(music21_parse_pitch("Bn3"), 59);
  EXPECT_EQ(music21_parse_pitch("B#3"), 60);
}

TEST(Music21Pitch, MinusSignIsAFlatNotANegativeOctave) {
  EXPECT_EQ(music21_parse_pitch("B-1"), 34);             // so MIDI 11's spelling decodes to 34
  EXPECT_EQ(music21_parse_pitch("C-1"), 23);             // C flat 1, not MIDI 0
  EXPECT_EQ(music21_parse_pitch("E--1"), 26);            // E double flat 1, not MIDI 3
  EXPECT_EQ(music21_parse_pitch("C#-1"), std::nullopt);  // "#-" is no accidental
}

TEST(Music21Pitch, RejectsMalformedNamesAndPitchesOutsideMidi) {
  for (const char* bad : {"", "4", "H4", "C$4", "C#####4", "G#9", "C10", "<unk>", "C1234"})
    EXPECT_EQ(music21_parse_pitch(bad), std::nullopt) << bad;
}

TEST(Music21Pitch, EveryPitchFrom12UpReadsBackFromItsSpelling) {
  for (int midi = 12; midi <= 127; ++midi)
    EXPECT_EQ(music21_parse_pitch(music21_pitch_name(midi)), midi) << midi;
}

}  // namespace
}  // namespace musegen::tokenize
