// General MIDI names and pitch spelling.
#include "music/general_midi.h"

#include <gtest/gtest.h>

namespace musegen {
namespace {

TEST(GeneralMidi, ProgramNames) {
  EXPECT_STREQ(gm_program_name(0), "Acoustic Grand Piano");
  EXPECT_STREQ(gm_program_name(40), "Violin");
  EXPECT_STREQ(gm_program_name(127), "Gunshot");
  EXPECT_STREQ(gm_program_name(128), "");
  EXPECT_STREQ(gm_program_name(-1), "");
}

TEST(GeneralMidi, ProgramFromText) {
  EXPECT_EQ(gm_program_from_text("acoustic grand piano"), 0);
  EXPECT_EQ(gm_program_from_text("Flute"), 73);
  EXPECT_EQ(gm_program_from_text("73"), 73);
  EXPECT_EQ(gm_program_from_text("128"), -1);
  EXPECT_EQ(gm_program_from_text("kazoo"), -1);
}

TEST(GeneralMidi, DrumNames) {
  EXPECT_STREQ(gm_drum_name(35), "Acoustic Bass Drum");
  EXPECT_STREQ(gm_drum_name(38), "Acoustic Snare");
  EXPECT_STREQ(gm_drum_name(42), "Closed Hi-Hat");
  EXPECT_STREQ(gm_drum_name(81), "Open Triangle");
  EXPECT_STREQ(gm_drum_name(34), "");
  EXPECT_STREQ(gm_drum_name(82), "");
}

TEST(GeneralMidi, PitchAndKeyNames) {
  EXPECT_EQ(pitch_name(60), "C4");
  EXPECT_EQ(pitch_name(61), "C#4");
  EXPECT_EQ(pitch_name(0), "C-1");
  EXPECT_EQ(pitch_name(127), "G9");
  EXPECT_EQ(key_name(0, false), "C major");
  EXPECT_EQ(key_name(-3, true), "C minor");
  EXPECT_EQ(key_name(2, false), "D major");
  EXPECT_EQ(key_name(9, false), "unknown key");
}

}  // namespace
}  // namespace musegen

namespace musegen {
namespace {

TEST(GeneralMidi, WordsResolveToEveryMatchingProgram) {
  EXPECT_EQ(gm_programs_for("Violin"), std::vector<int>{40});
  EXPECT_EQ(gm_programs_for("41"), std::vector<int>{41});
  EXPECT_EQ(gm_programs_for("drums"), std::vector<int>{kGmDrumKit});
  EXPECT_EQ(gm_programs_for("Percussion"), std::vector<int>{kGmDrumKit});
  EXPECT_EQ(gm_programs_for("piano"), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(gm_programs_for("bass"), (std::vector<int>{32, 33, 34, 35, 36, 37, 38, 39, 87}));
  EXPECT_EQ(gm_programs_for("electric bass"), (std::vector<int>{33, 34}));
  EXPECT_TRUE(gm_programs_for("kazoo").empty());
  EXPECT_TRUE(gm_programs_for("").empty());
  EXPECT_EQ(gm_instrument_name(kGmDrumKit), "Drums");
  EXPECT_EQ(gm_instrument_name(42), "Cello");
}

}  // namespace
}  // namespace musegen

namespace musegen {
namespace {

// Playable ranges: the keyboard, orchestral strings as written in orchestration books, and no
// limit where an instrument has none (drums, sound effects); every range is a real interval.
TEST(GeneralMidi, PlayableRanges) {
  EXPECT_EQ(gm_playable_range(0), (std::pair<int, int>{21, 108}));   // A0..C8
  EXPECT_EQ(gm_playable_range(40), (std::pair<int, int>{55, 103}));  // violin G3..G7
  EXPECT_EQ(gm_playable_range(42), (std::pair<int, int>{36, 76}));   // cello C2..E5
  EXPECT_EQ(gm_playable_range(73), (std::pair<int, int>{60, 96}));   // flute C4..C7
  EXPECT_EQ(gm_playable_range(kGmDrumKit), (std::pair<int, int>{0, 127}));
  EXPECT_EQ(gm_playable_range(127), (std::pair<int, int>{0, 127}));
  for (int program = 0; program < 128; ++program) {
    const auto [low, high] = gm_playable_range(program);
    EXPECT_TRUE(0 <= low && low < high && high <= 127) << program;
  }
}

}  // namespace
}  // namespace musegen
