// The reader's rules on well-formed input built in code: formats 0/1/2, running status, meta
// and SysEx events, the tempo map across tracks, the pairing rule, RMID, unknown chunks,
// SMPTE division, and reading from a buffer, a stream or a file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/smf_builder.h"

namespace musegen::midi {
namespace {

using testing::Bytes;
using testing::SmfBytes;
using testing::TrackBytes;

ReadResult read_ok(const Bytes& bytes) {
  ReadResult r = read(bytes, "test.mid");
  for (const auto& w : r.warnings) ADD_FAILURE() << "unexpected warning: " << w.to_string();
  return r;
}

struct Span {
  int pitch;
  std::int64_t start, end;
};

void expect_notes(const Score& s, const std::vector<Span>& expected) {
  ASSERT_EQ(s.notes.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(s.notes[i].pitch, expected[i].pitch) << "note " << i;
    EXPECT_EQ(s.notes[i].start_ticks, expected[i].start) << "note " << i;
    EXPECT_EQ(s.notes[i].end_ticks, expected[i].end) << "note " << i;
  }
}

TEST(MidiReader, Format0NotesWithTicksBeatsAndSeconds) {
  TrackBytes t;
  t.tempo(0, 1000000).on(0, 2, 60, 100).on(48, 2, 64, 90).off(48, 2, 60).off(96, 2, 64).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 96).track(t).bytes);
  EXPECT_EQ(r.events.format, 0);
  EXPECT_EQ(r.score.ticks_per_quarter, 96);
  ASSERT_EQ(r.score.tracks.size(), 1u);
  expect_notes(r.score, {{60, 0, 96}, {64, 48, 192}});
  const Note& n = r.score.notes[1];
  EXPECT_EQ(n.velocity, 90);
  EXPECT_EQ(n.channel, 2);
  EXPECT_EQ(n.track, 0);
  EXPECT_DOUBLE_EQ(n.start_beats, 0.5);
  EXPECT_DOUBLE_EQ(n.end_beats, 2.0);
  EXPECT_DOUBLE_EQ(n.start_sec, 0.5);  // 60 bpm
  EXPECT_DOUBLE_EQ(n.end_sec, 2.0);
}

TEST(MidiReader, RunningStatusAndVelocityZeroNoteOff) {
  TrackBytes t;
  t.on(0, 0, 60, 80).event(0, {62, 81}).event(10, {60, 0}).event(5, {62, 0}).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 10}, {62, 0, 15}});
  EXPECT_EQ(r.score.notes[1].velocity, 81);
}

TEST(MidiReader, RunningStatusSurvivesMetaEvents) {
  TrackBytes t;
  t.on(0, 1, 60, 80).meta(0, 0x01, {'x'}).event(10, {60, 0}).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 10}});
  EXPECT_EQ(r.score.notes[0].channel, 1);
}

TEST(MidiReader, RestruckPitchEndsTheEarlierNote) {
  TrackBytes t;
  t.on(0, 0, 60, 80).on(100, 0, 60, 70).off(100, 0, 60).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 100}, {60, 100, 200}});
  EXPECT_EQ(r.score.notes[1].velocity, 70);
}

TEST(MidiReader, OffWrittenAfterTheReStrikeAtTheSameTickBelongsToTheEarlierNote) {
  // Many writers emit note-on before the note-off of the previous note at the same tick.
  TrackBytes t;
  t.on(0, 0, 60, 80).on(100, 0, 60, 70).off(0, 0, 60).off(100, 0, 60).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 100}, {60, 100, 200}});
}

TEST(MidiReader, OffThenOnAtTheSameTickAndZeroLengthNotes) {
  TrackBytes t;
  t.on(0, 0, 60, 80).off(100, 0, 60).on(0, 0, 60, 80).off(100, 0, 60);
  t.on(0, 0, 72, 80).off(0, 0, 72).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 100}, {60, 100, 200}, {72, 200, 200}});
}

TEST(MidiReader, PairingIsPerTrackAndChannel) {
  TrackBytes t;
  t.on(0, 0, 60, 80).on(0, 1, 60, 80).off(10, 1, 60).off(10, 0, 60).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  ASSERT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.score.notes[0].channel, 0);
  EXPECT_EQ(r.score.notes[0].end_ticks, 20);
  EXPECT_EQ(r.score.notes[1].channel, 1);
  EXPECT_EQ(r.score.notes[1].end_ticks, 10);
}

// A conductor track with a tempo and signatures, and a tempo change in another track: the
// tempo map applies across all tracks.
Bytes three_track_file() {
  TrackBytes conductor, melody, bass;
  conductor.name("Song").tempo(0, 1000000);
  conductor.meta(0, 0x58, {3, 2, 24, 8}).meta(0, 0x59, {0xFE, 1}).end();
  melody.name("Melody").program(0, 0, 73).on(0, 0, 72, 100).off(480, 0, 72);
  melody.on(480, 0, 74, 100).off(480, 0, 74).end();
  bass.name("Bass").tempo(960, 250000).on(0, 0, 36, 90).off(480, 0, 36).end();
  return SmfBytes(1, 3, 480).track(conductor).track(melody).track(bass).bytes;
}

TEST(MidiReader, Format1TempoMapAppliesAcrossTracks) {
  ReadResult r = read_ok(three_track_file());
  const Score& s = r.score;
  ASSERT_EQ(s.tracks.size(), 2u);  // the conductor track holds no notes
  EXPECT_EQ(s.tracks[0].name, "Melody");
  EXPECT_EQ(s.tracks[1].name, "Bass");
  ASSERT_EQ(s.tempos.size(), 2u);
  EXPECT_EQ(s.tempos[1].tick, 960);
  EXPECT_EQ(s.tempos[1].us_per_quarter, 250000);
  ASSERT_EQ(s.time_signatures.size(), 1u);
  EXPECT_EQ(s.time_signatures[0].numerator, 3);
  EXPECT_EQ(s.time_signatures[0].denominator, 4);
  ASSERT_EQ(s.key_signatures.size(), 1u);
  EXPECT_EQ(s.key_signatures[0].sharps, -2);
  EXPECT_TRUE(s.key_signatures[0].minor);
  expect_notes(s, {{72, 0, 480}, {74, 960, 1440}, {36, 960, 1440}});
  EXPECT_EQ(s.notes[0].program, 73);
  EXPECT_EQ(s.notes[2].track, 1);
  EXPECT_EQ(s.notes[2].program, 0);  // programs are per (track, channel)
  // Melody note at tick 960 sounds at 2 s (two beats at 60 bpm), ends 0.25 s later (240 bpm
  // from the bass track's tempo change).
  EXPECT_DOUBLE_EQ(s.notes[1].start_sec, 2.0);
  EXPECT_DOUBLE_EQ(s.notes[1].end_sec, 2.25);
  EXPECT_DOUBLE_EQ(s.notes[0].end_sec, 1.0);
}

TEST(MidiReader, EventFileKeepsEveryChannelAndMetaEventInFileOrder) {
  ReadResult r = read_ok(three_track_file());
  ASSERT_EQ(r.events.tracks.size(), 3u);
  const EventTrack& melody = r.events.tracks[1];
  ASSERT_EQ(melody.channel_events.size(), 5u);
  EXPECT_TRUE(melody.channel_events[0].is_program_change());
  EXPECT_EQ(melody.channel_events[0].data1, 73);
  EXPECT_EQ(melody.channel_events[3].tick, 960);
  EXPECT_TRUE(melody.channel_events[4].is_note_off());
  EXPECT_EQ(melody.channel_events[4].tick, 1440);
  EXPECT_EQ(melody.end_tick, 1440);
  const EventTrack& conductor = r.events.tracks[0];
  ASSERT_EQ(conductor.meta_events.size(), 5u);  // name, tempo, time, key, End-of-Track
  EXPECT_EQ(conductor.meta_events[0].type, 0x03);
  EXPECT_EQ(conductor.meta_events[1].type, 0x51);
  EXPECT_EQ(conductor.meta_events[4].type, 0x2F);
  // Byte offsets point at each event: the first track's body starts at byte 22.
  EXPECT_EQ(conductor.meta_events[0].byte_offset, 22);
}

TEST(MidiReader, SysExInBothFormsIsSkipped) {
  TrackBytes t;
  t.event(0, {0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7});  // GM on
  t.on(0, 0, 60, 80);
  t.event(0, {0xF7, 0x02, 0xF3, 0x01});  // escaped bytes
  t.event(10, {60, 0});                  // running status still applies after SysEx
  t.end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  expect_notes(r.score, {{60, 0, 10}});
}

TEST(MidiReader, UnknownChunksAreSkipped) {
  TrackBytes a, b;
  a.on(0, 0, 60, 80).off(10, 0, 60).end();
  b.on(0, 1, 50, 80).off(10, 1, 50).end();
  Bytes bytes = SmfBytes(1, 2, 480).track(a).chunk("XFIH", {1, 2, 3, 0x90, 0x40}).track(b).bytes;
  ReadResult r = read_ok(bytes);
  ASSERT_EQ(r.events.tracks.size(), 2u);
  expect_notes(r.score, {{60, 0, 10}, {50, 0, 10}});
}

TEST(MidiReader, RmidWrapperGivesTheSameMusic) {
  const Bytes plain = three_track_file();
  ReadResult a = read_ok(plain);
  ReadResult b = read_ok(testing::rmid_wrap(plain));
  EXPECT_TRUE(same_music(a.score, b.score));
  EXPECT_EQ(b.score.notes.size(), 3u);
  // Offsets are positions in the whole file: the SMF starts 34 bytes in.
  EXPECT_EQ(b.events.tracks[0].meta_events[0].byte_offset, 22 + 34);
}

TEST(MidiReader, SmpteDivisionGivesSecondsFromTicks) {
  TrackBytes t;
  t.tempo(0, 1000000).on(500, 0, 60, 80).off(1500, 0, 60).end();  // tempo has no effect
  const std::uint16_t division = (0xE7 << 8) | 40;                // -25 fps, 40 ticks/frame
  ReadResult r = read_ok(SmfBytes(0, 1, division).track(t).bytes);
  EXPECT_DOUBLE_EQ(r.score.smpte_ticks_per_sec, 1000.0);
  EXPECT_EQ(r.score.ticks_per_quarter, 500);  // 120 bpm convention
  ASSERT_EQ(r.score.notes.size(), 1u);
  EXPECT_DOUBLE_EQ(r.score.notes[0].start_sec, 0.5);
  EXPECT_DOUBLE_EQ(r.score.notes[0].end_sec, 2.0);
  EXPECT_DOUBLE_EQ(r.score.notes[0].start_beats, 1.0);
}

TEST(MidiReader, SmpteDropFrameIs2997FramesPerSecond) {
  TrackBytes t;
  t.on(0, 0, 60, 80).off(2997, 0, 60).end();
  const std::uint16_t division = (0xE3 << 8) | 10;  // -29: 30000/1001 fps, 10 ticks/frame
  ReadResult r = read_ok(SmfBytes(0, 1, division).track(t).bytes);
  EXPECT_DOUBLE_EQ(r.score.smpte_ticks_per_sec, 300000.0 / 1001.0);
  EXPECT_NEAR(r.score.notes[0].end_sec, 2997.0 * 1001.0 / 300000.0, 1e-12);
  const std::uint16_t fps24 = (0xE8 << 8) | 4, fps30 = (0xE2 << 8) | 4;
  EXPECT_DOUBLE_EQ(read_ok(SmfBytes(0, 1, fps24).track(t).bytes).score.smpte_ticks_per_sec, 96);
  EXPECT_DOUBLE_EQ(read_ok(SmfBytes(0, 1, fps30).track(t).bytes).score.smpte_ticks_per_sec, 120);
}

TEST(MidiReader, Format2PatternsPlayOneAfterAnother) {
  TrackBytes a, b;
  a.tempo(0, 1000000).on(0, 0, 60, 80).off(480, 0, 60).end(480);  // pattern of 960 ticks
  b.on(0, 0, 62, 80).off(480, 0, 62).end();
  ReadResult r = read_ok(SmfBytes(2, 2, 480).track(a).track(b).bytes);
  ASSERT_EQ(r.score.tracks.size(), 2u);
  expect_notes(r.score, {{60, 0, 480}, {62, 960, 1440}});
  EXPECT_EQ(r.score.notes[1].track, 1);
  // The second pattern sets no tempo: it plays at the default 120 bpm, not at the first's 60.
  EXPECT_DOUBLE_EQ(r.score.notes[1].start_sec, 2.0);
  EXPECT_DOUBLE_EQ(r.score.notes[1].end_sec, 2.5);
}

TEST(MidiReader, TempoEventsAtOneTickKeepTheLast) {
  TrackBytes t;
  t.tempo(0, 600000).tempo(0, 400000).on(0, 0, 60, 80).off(480, 0, 60).end();
  ReadResult r = read_ok(SmfBytes(0, 1, 480).track(t).bytes);
  ASSERT_EQ(r.score.tempos.size(), 1u);
  EXPECT_EQ(r.score.tempos[0].us_per_quarter, 400000);
  EXPECT_EQ(r.events.tracks[0].meta_events.size(), 3u);  // the raw events keep both
}

TEST(MidiReader, TrackNamesBecomeValidUtf8) {
  TrackBytes a, b;
  a.meta(0, 0x03, {'C', 0xE9, 'l', 'e', 's', 't', 'a'}).on(0, 0, 60, 1).off(1, 0, 60).end();
  b.name("Caf\xC3\xA9").on(0, 0, 60, 1).off(1, 0, 60).end();
  ReadResult r = read_ok(SmfBytes(1, 2, 480).track(a).track(b).bytes);
  ASSERT_EQ(r.score.tracks.size(), 2u);
  EXPECT_EQ(r.score.tracks[0].name, "C\xC3\xA9lesta");  // Latin-1 converted
  EXPECT_EQ(r.score.tracks[1].name, "Caf\xC3\xA9");     // UTF-8 kept
}

TEST(MidiReader, BufferStreamAndFileGiveTheSameResult) {
  const Bytes bytes = three_track_file();
  ReadResult a = read(bytes, "x.mid");
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  ReadResult b = read(in, "x.mid");
  const auto path = std::filesystem::temp_directory_path() /
                    ("musegen_reader_test_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".mid");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  ReadResult c = read_file(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(same_music(a.score, b.score));
  EXPECT_TRUE(same_music(a.score, c.score));
  EXPECT_EQ(a.score.notes.size(), 3u);
}

TEST(MidiReader, MissingFileIsAnIoError) {
  EXPECT_THROW(read_file("/nonexistent/musegen/none.mid"), IoError);
}

TEST(MidiReader, EventsToScoreWorksOnHandBuiltEvents) {
  EventFile ev;
  ev.format = 0;
  ev.ticks_per_quarter = 100;
  EventTrack t;
  t.channel_events = {{0, 0x90, 60, 50}, {50, 0x80, 60, 0}, {60, 0x99, 36, 100}};
  t.end_tick = 200;
  ev.tracks.push_back(t);
  Diagnostics warnings;
  Score s = events_to_score(ev, "hand", {}, warnings);
  expect_notes(s, {{60, 0, 50}, {36, 60, 200}});
  EXPECT_TRUE(s.notes[1].is_drum());
  ASSERT_EQ(warnings.size(), 1u);  // the drum note is never turned off
  EXPECT_NE(warnings[0].message.find("never turned off"), std::string::npos);
}

}  // namespace
}  // namespace musegen::midi
