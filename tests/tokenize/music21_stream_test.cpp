// Rules R1-R6 of music21-tokens.md on event files built in code: what music21 refuses,
// which tracks become Parts, note-off pairing, chord grouping, durations and quantization.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "tokenize/music21_stream.h"
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

// The single Part of a one-track file.
Music21Part only_part(const EventFile& file) {
  auto parts = music21_parts(file);
  EXPECT_EQ(parts.size(), 1u);
  return parts.at(0);
}

// --- R1: files music21 refuses --------------------------------------------------------

TEST(Music21Read, Format2IsAnError) {
  auto file = event_file({notes_track({{60, 0, 480}})});
  file.format = 2;
  EXPECT_THROW(tokens_of(file), Error);
}

TEST(Music21Read, DivisionZeroIsAnError) {
  EXPECT_THROW(tokens_of(event_file({notes_track({{60, 0, 480}})}, 0)), Error);
}

TEST(Music21Read, SmpteNeeds24To30TicksPerFrameAndUses1024TicksPerQuarter) {
  auto file = event_file({notes_track({{60, 0, 480}, {64, 60, 480}})});
  file.smpte_ticks_per_sec = 25 * 40;  // 25 frames/s, 40 ticks/frame: music21 refuses
  EXPECT_THROW(tokens_of(file), Error);
  file.smpte_ticks_per_sec = 25 * 24;
  EXPECT_EQ(music21_ticks_per_quarter(file), 1024);
  // 60 ticks apart is within 1024/16 = 64 ticks: one chord (it would not be at tpq 480).
  EXPECT_EQ(tokens_of(file), (Tokens{"0.4"}));
}

TEST(Music21Read, NoSoundingNoteIsAnError) {
  EXPECT_THROW(tokens_of(event_file({})), Error);
  TrackBuilder silent;
  silent.program(0, 0).on(0, 60, 0).off(10, 60).meta(0, 0x51);
  EXPECT_THROW(tokens_of(event_file({silent.track})), Error);
}

TEST(Music21Read, TicksOutsideTheSupportedRangeAreAnError) {
  EXPECT_THROW(tokens_of(event_file({notes_track({{60, -10, 480}})})), Error);
  EXPECT_THROW(tokens_of(event_file({notes_track({{60, 0, std::int64_t{1} << 60}})})), Error);
}

// --- R2: Parts --------------------------------------------------------------------------

TEST(Music21Parts, OnlyTracksWithASoundingNoteOnBecomeParts) {
  TrackBuilder conductor;
  conductor.meta(0, 0x51).meta(0, 0x58);
  TrackBuilder zero_velocity;
  zero_velocity.on(0, 50, 0).off(100, 50);
  auto parts = music21_parts(event_file({conductor.track, notes_track({{60, 0, 480}}),
                                         zero_velocity.track, notes_track({{62, 0, 480}})}));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].track, 1);
  EXPECT_EQ(parts[1].track, 3);
}

TEST(Music21Parts, AllChannelsOfATrackFormOnePart) {
  TrackBuilder track;
  track.on(0, 60, 100, 0).on(480, 62, 100, 5).off(960, 60, 0).off(960, 62, 5);
  auto part = only_part(event_file({track.track}));
  EXPECT_EQ(part.elements.size(), 2u);
}

TEST(Music21Parts, ProgramChangesOnAnyChannelBecomeInstruments) {
  TrackBuilder track;
  track.program(0, 0, 0).program(240, 40, 3).on(0, 60).off(480, 60);
  auto part = only_part(event_file({track.track}));
  ASSERT_EQ(part.instruments.size(), 2u);
  EXPECT_EQ(part.instruments[1].program, 40);
  EXPECT_EQ(part.instruments[1].offset_twelfths, 6);
}

TEST(Music21Parts, HighestTimeCountsNotesInstrumentsOwnSignaturesAndConductorCopies) {
  TrackBuilder conductor;
  conductor.meta(4800, 0x58).meta(9600, 0x51);
  TrackBuilder first;
  first.on(0, 60).off(480, 60).meta(1440, 0x59);
  TrackBuilder second;
  second.on(0, 60).off(960, 60).program(2400, 0);
  auto parts = music21_parts(event_file({conductor.track, first.track, second.track}));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].highest_time_twelfths, 12 * 20);  // the conductor's tempo: first only
  EXPECT_EQ(parts[1].highest_time_twelfths, 12 * 10);  // the conductor's time signature
  conductor.track.meta_events.clear();
  parts = music21_parts(event_file({conductor.track, first.track, second.track}));
  EXPECT_EQ(parts[0].highest_time_twelfths, 12 * 3);  // its own key signature
  EXPECT_EQ(parts[1].highest_time_twelfths, 12 * 5);  // its program change
}

// --- R3: pairing ------------------------------------------------------------------------

TEST(Music21Pairing, VelocityZeroNoteOnAndNoteOffAreEquivalent) {
  TrackBuilder a, b;
  a.on(0, 60).off(240, 60, 0, true);
  b.on(0, 60).off(240, 60);
  EXPECT_EQ(only_part(event_file({a.track})).elements[0].duration_twelfths, 6);
  EXPECT_EQ(only_part(event_file({b.track})).elements[0].duration_twelfths, 6);
}

TEST(Music21Pairing, ASecondNoteOnEndsTheFirstAndIsSwallowed) {
  TrackBuilder track;
  track.on(0, 60).on(240, 60).off(480, 60).off(720, 60).on(960, 62).off(1440, 62);
  auto part = only_part(event_file({track.track}));
  ASSERT_EQ(part.elements.size(), 2u);  // C4 once, then D4
  EXPECT_EQ(part.elements[0].duration_twelfths, 6);
  EXPECT_EQ(part.elements[1].pitch, 62);
}

TEST(Music21Pairing, OnlyNoteEventsOfTheSameChannelAndPitchEndANote) {
  TrackBuilder track;
  track.on(0, 60, 100, 0)
      .off(120, 60, 1)         // another channel
      .controller(180, 60, 0)  // a controller numbered like the pitch
      .add(200, 0xA0, 60, 0)   // poly pressure on the pitch
      .add(220, 0xE0, 60, 0)   // pitch bend
      .off(480, 60, 0);
  auto part = only_part(event_file({track.track}));
  ASSERT_EQ(part.elements.size(), 1u);
  EXPECT_EQ(part.elements[0].duration_twelfths, 12);
}

TEST(Music21Pairing, UnendedNotesAreDroppedAndUnusedOffsIgnored) {
  TrackBuilder track;
  track.off(0, 64).on(0, 60).on(100, 62).off(480, 60);
  EXPECT_EQ(tokens_of(event_file({track.track})), (Tokens{"C4"}));
}

TEST(Music21Pairing, NotesKeepNoteOnOrderAndZeroLengthNotesLastOneQuarter) {
  TrackBuilder track;
  track.on(0, 60).on(240, 64).off(240, 64).off(960, 60);
  auto part = only_part(event_file({track.track}));
  ASSERT_EQ(part.elements.size(), 2u);
  EXPECT_EQ(part.elements[0].pitch, 60);
  EXPECT_EQ(part.elements[1].pitch, 64);
  EXPECT_EQ(part.elements[1].duration_twelfths, 12);  // on == off: music21 uses 1.0
}

// --- R4/R5: chords ----------------------------------------------------------------------

TEST(Music21Chords, StartsAndEndsWithinASixteenthOfAQuarterMakeAChord) {
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 480}, {64, 30, 510}})})), (Tokens{"0.4"}));
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 480}, {64, 31, 480}})})),
            (Tokens{"C4", "E4"}));
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 480}, {64, 0, 511}})})),
            (Tokens{"C4", "E4"}));
}

TEST(Music21Chords, ANoteWithAnotherEndIsSkippedNotAStop) {
  auto file = event_file({notes_track({{60, 0, 480}, {64, 0, 600}, {67, 10, 480}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"7.0", "E4"}));
}

TEST(Music21Chords, ANoteCanSoundInTwoChords) {
  auto file = event_file({notes_track({{60, 0, 480}, {64, 0, 520}, {67, 0, 500}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"7.0", "4.7"}));
}

TEST(Music21Chords, RepeatedPitchClassesCollapse) {
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 480}, {72, 0, 480}})})), (Tokens{"0"}));
}

TEST(Music21Chords, ToleranceIsTicksPerQuarterOver16AsARealNumber) {
  // tpq 100: tolerance 6.25 ticks, so 6 apart joins and 7 apart does not.
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 100}, {64, 6, 100}})}, 100)),
            (Tokens{"0.4"}));
  EXPECT_EQ(tokens_of(event_file({notes_track({{60, 0, 100}, {64, 7, 100}})}, 100)),
            (Tokens{"C4", "E4"}));
}

TEST(Music21Chords, ChordDurationRunsFromTheLastAddedStartToTheFirstEnd) {
  auto part = only_part(event_file({notes_track({{60, 0, 160}, {64, 30, 160}})}));
  EXPECT_EQ(part.elements[0].duration_twelfths, 3);  // 130 ticks, not the first's 160
  part = only_part(event_file({notes_track({{60, 0, 30}, {64, 30, 40}})}));
  EXPECT_EQ(part.elements[0].duration_twelfths, 12);  // 0 ticks: music21 uses 1.0
  part = only_part(event_file({notes_track({{60, 0, 20}, {64, 30, 45}})}));
  EXPECT_EQ(part.elements[0].duration_twelfths, 0);  // negative: 0
}

// --- R6: quantized order ----------------------------------------------------------------

TEST(Music21Quantized, TiesFromQuantizationOrderByTrack) {
  // Track 0's note starts later (130) than track 1's (110), but both quantize to 1/4.
  auto file = event_file({notes_track({{60, 130, 480}}), notes_track({{64, 110, 480}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"C4", "E4"}));
  file = event_file({notes_track({{60, 170, 480}}), notes_track({{64, 110, 480}})});
  EXPECT_EQ(tokens_of(file), (Tokens{"E4", "C4"}));  // 1/3 after 1/4
}

}  // namespace
}  // namespace musegen::tokenize
