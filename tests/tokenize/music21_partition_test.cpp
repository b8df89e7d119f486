// Rules R7 and R10 of music21-tokens.md: which elements partitionByInstrument's parts[0]
// keeps (or the flat fallback), and their order.
#include <gtest/gtest.h>

#include "tokenize/music21_partition.h"
#include "tokenize/music21_test_events.h"
#include "tokenize/tutorial_tokenizer.h"

namespace musegen::tokenize {
namespace {

using testing::event_file;
using testing::notes_track;
using testing::TrackBuilder;

Tokens tokens_of(const EventFile& file) {
  return TutorialTokenizer::encode_events(file);
}

TEST(Music21Programs, NamesFollowMusic21FiveAndNamelessProgramsShareOneKey) {
  EXPECT_STREQ(music21_instrument_name(0), "Piano");
  EXPECT_STREQ(music21_instrument_name(48), "StringInstrument");
  EXPECT_STREQ(music21_instrument_name(116), "Taiko");
  int named = 0;
  for (int program = 0; program < 128; ++program)
    named += music21_instrument_name(program) != nullptr;
  EXPECT_EQ(named, 59);
  for (int program : {1, 2, 3, 4, 5, 10, 17, 18, 23, 25, 27, 31, 80, 103, 117, 127, 200})
    EXPECT_EQ(music21_program_key(program), kNamelessProgram) << program;
  EXPECT_EQ(music21_program_key(40), 40);
}

TEST(Music21Partition, WithoutProgramChangesAllTracksMergeInTimeOrder) {
  auto file = event_file({notes_track({{60, 0, 480}, {62, 960, 1440}}),
                          notes_track({{64, 480, 960}, {65, 960, 1440}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4", "E4", "D4", "F4"}));
}

TEST(Music21Partition, ProgramChangesInNotelessTracksAreIgnored) {
  TrackBuilder conductor;
  conductor.program(0, 40);
  auto file =
      event_file({conductor.track, notes_track({{60, 0, 480}}), notes_track({{64, 0, 480}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4", "E4"}));  // flat fallback keeps both tracks
}

TEST(Music21Partition, TracksWithoutProgramChangeDropWhenAnotherHasOne) {
  auto file = event_file({notes_track({{64, 0, 480}}), notes_track({{60, 0, 480}}, 0)});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4"}));
}

TEST(Music21Partition, TracksWithAnotherInstrumentNameDrop) {
  auto file = event_file({notes_track({{60, 0, 480}}, 0), notes_track({{64, 0, 480}}, 40),
                          notes_track({{67, 0, 480}}, 0)});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4", "G4"}));
}

TEST(Music21Partition, NamelessProgramsMergeWithEachOther) {
  auto file = event_file({notes_track({{60, 0, 480}}, 1), notes_track({{64, 0, 480}}, 2),
                          notes_track({{67, 0, 480}}, 0)});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4", "E4"}));
}

TEST(Music21Partition, TheFirstInstrumentMetInTrackOrderWins) {
  auto file = event_file({notes_track({{60, 0, 480}}, 40), notes_track({{64, 0, 480}}, 0)});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4"}));
}

TEST(Music21Partition, NotesBeforeTheFirstProgramChangeDrop) {
  TrackBuilder track;
  track.on(0, 60).off(480, 60).program(480, 0).on(480, 62).off(960, 62);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"D4"}));
}

TEST(Music21Partition, SpansEndAtTheNextInstrumentOfThePart) {
  TrackBuilder track;
  track.program(0, 0)
      .on(0, 60)
      .off(480, 60)
      .program(480, 40)
      .on(480, 62)
      .off(960, 62)
      .program(960, 0)
      .on(960, 64)
      .off(1440, 64);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"C4", "E4"}));
}

TEST(Music21Partition, ProgramsAtOneTickLeaveZeroLengthSpansForZeroLengthNotesOnly) {
  // Like AT.mid: Piano then Violin at tick 0; Piano's span is [0, 0).
  TrackBuilder track;
  track.program(0, 0).program(0, 40).on(0, 60).on(0, 62).off(2, 62).off(480, 60);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"D4"}));
  TrackBuilder only_long;
  only_long.program(0, 0).program(0, 40).on(0, 60).off(480, 60);
  EXPECT_EQ(tokens_of(event_file({only_long.track})), Tokens{});
}

TEST(Music21Partition, AnElementInTwoSpansOfTheNameIsKeptOnce) {
  TrackBuilder track;
  track.program(0, 0).program(0, 0).on(0, 62).off(2, 62).on(480, 60).off(960, 60);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"D4", "C4"}));
}

TEST(Music21Partition, AZeroLengthElementAtTheHighestTimeDrops) {
  TrackBuilder track;
  track.program(0, 0).on(0, 60).off(480, 60).on(480, 62).off(482, 62);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"C4"}));
  TrackBuilder flat;  // the flat fallback keeps it
  flat.on(0, 60).off(480, 60).on(480, 62).off(482, 62);
  EXPECT_EQ(tokens_of(event_file({flat.track})), (Tokens{"C4", "D4"}));
  TrackBuilder conductor;  // a later time signature moves the highest time past it
  conductor.meta(960, 0x58);
  EXPECT_EQ(tokens_of(event_file({conductor.track, track.track})), (Tokens{"C4", "D4"}));
}

TEST(Music21Partition, OrderIsOffsetThenTrackThenCreation) {
  auto file = event_file({notes_track({{60, 480, 960}, {62, 0, 480}}, 0),
                          notes_track({{64, 0, 480}, {65, 0, 700}, {67, 480, 960}}, 0)});
  EXPECT_EQ(tokens_of(file), (Tokens{"D4", "E4", "F4", "C4", "G4"}));
}

}  // namespace
}  // namespace musegen::tokenize
