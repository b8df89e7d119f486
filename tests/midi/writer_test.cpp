// The writer: exact bytes for a tiny score, read-back equality for formats 0 and 1 (names,
// programs, drums, tempo map, signatures, SMPTE, re-struck and zero-length notes), and
// clear errors for scores a MIDI file cannot hold.
#include "midi/writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/smf_builder.h"

namespace musegen::midi {
namespace {

using testing::Bytes;

Note make_note(int pitch, std::int64_t start, std::int64_t end, int track = 0, int channel = 0,
               int program = 0, int velocity = 90) {
  Note n;
  n.pitch = pitch;
  n.start_ticks = start;
  n.end_ticks = end;
  n.track = track;
  n.channel = channel;
  n.program = program;
  n.velocity = velocity;
  return n;
}

Score band() {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks = {{"Flute"}, {"Bass"}, {"Drums"}};
  s.notes = {make_note(72, 0, 480, 0, 0, 73, 100),   make_note(74, 480, 960, 0, 0, 73, 101),
             make_note(74, 960, 1440, 0, 0, 40, 80), make_note(36, 0, 1920, 1, 1, 33, 70),
             make_note(36, 0, 120, 2, 9, 0, 127),    make_note(42, 480, 480, 2, 9, 0, 60),
             make_note(40, 960, 1000, 1, 1, 33, 1)};
  s.tempos = {{0, 600000}, {960, 400000}};
  s.time_signatures = {{0, 3, 4}, {1440, 6, 8}};
  s.key_signatures = {{0, -3, true}, {960, 2, false}};
  s.sort_events();
  s.update_times();
  return s;
}

ReadResult read_back(const Score& s, int format = 1) {
  WriteOptions options;
  options.format = format;
  ReadResult r = read(write_bytes(s, options), "written.mid");
  for (const auto& w : r.warnings) ADD_FAILURE() << "warning: " << w.to_string();
  return r;
}

TEST(MidiWriter, ExactBytesOfATinyScore) {
  Score s;
  s.ticks_per_quarter = 96;
  s.tracks = {{"A"}};
  s.notes = {make_note(60, 0, 96, 0, 0, 0, 100)};
  s.tempos = {{0, 500000}};
  const Bytes expected = {'M',  'T', 'h',  'd',  0,    0,   0,    6,    0, 1,    0,    2,
                          0,    96,  'M',  'T',  'r',  'k', 0,    0,    0, 11,   0,    0xFF,
                          0x51, 3,   0x07, 0xA1, 0x20, 0,   0xFF, 0x2F, 0, 'M',  'T',  'r',
                          'k',  0,   0,    0,    19,   0,   0xFF, 0x03, 1, 'A',  0,    0xC0,
                          0,    0,   0x90, 60,   100,  96,  60,   0,    0, 0xFF, 0x2F, 0};
  EXPECT_EQ(write_bytes(s), expected);
}

TEST(MidiWriter, Format1ReadsBackAsTheSameScore) {
  const Score s = band();
  ReadResult r = read_back(s);
  EXPECT_EQ(r.events.format, 1);
  EXPECT_EQ(r.events.tracks.size(), 4u);  // conductor + 3
  EXPECT_TRUE(same_music(s, r.score));
  EXPECT_DOUBLE_EQ(r.score.notes.back().end_sec, s.notes.back().end_sec);
}

TEST(MidiWriter, Format0ReadsBackAsTheSameSingleTrackScore) {
  Score s = band();
  s.tracks.resize(1);
  for (auto& n : s.notes) n.track = 0;
  s.sort_events();
  ReadResult r = read_back(s, 0);
  EXPECT_EQ(r.events.format, 0);
  EXPECT_EQ(r.events.tracks.size(), 1u);
  EXPECT_TRUE(same_music(s, r.score));
}

TEST(MidiWriter, Format0MergesTracksIntoOne) {
  const Score s = band();
  ReadResult r = read_back(s, 0);
  ASSERT_EQ(r.score.tracks.size(), 1u);
  EXPECT_EQ(r.score.tracks[0].name, "Flute");
  ASSERT_EQ(r.score.notes.size(), s.notes.size());
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    EXPECT_EQ(r.score.notes[i].pitch, s.notes[i].pitch);
    EXPECT_EQ(r.score.notes[i].program, s.notes[i].program);
    EXPECT_EQ(r.score.notes[i].end_ticks, s.notes[i].end_ticks);
  }
}

TEST(MidiWriter, SmpteDivisionReadsBack) {
  for (double ticks_per_sec : {1000.0, 96.0, 300000.0 / 1001.0 * 4}) {
    Score s;
    s.smpte_ticks_per_sec = ticks_per_sec;
    s.ticks_per_quarter = static_cast<int>(std::lround(ticks_per_sec / 2));
    s.tracks = {{"x"}};
    s.notes = {make_note(60, 10, 500)};
    s.update_times();
    ReadResult r = read_back(s);
    EXPECT_TRUE(same_music(s, r.score)) << ticks_per_sec;
    EXPECT_DOUBLE_EQ(r.score.notes[0].end_sec, 500 / ticks_per_sec);
  }
  Score odd;
  odd.smpte_ticks_per_sec = 1234.5;
  EXPECT_THROW(write_bytes(odd), ConfigError);
}

// Files the reader has to think about (re-strikes written on-before-off, zero-length
// notes, notes never turned off) read, write and read back to the same Score.
TEST(MidiWriter, ReadWriteReadIsStable) {
  testing::TrackBytes a, b;
  a.name("A").on(0, 0, 60, 80).on(100, 0, 60, 70).off(0, 0, 60).off(100, 0, 60);
  a.on(0, 0, 61, 80).on(0, 0, 61, 81).off(50, 0, 61).on(0, 0, 62, 5).off(0, 0, 62);
  a.program(0, 0, 20).on(0, 0, 62, 6).end(30);
  b.tempo(0, 700000).on(0, 3, 50, 90).off(10, 3, 50).end();
  const Bytes bytes = testing::SmfBytes(1, 2, 240).track(a).track(b).bytes;
  ReadResult first = read(bytes, "x.mid");
  ReadResult second = read_back(first.score);
  EXPECT_TRUE(same_music(first.score, second.score));
  EXPECT_EQ(first.score.notes.size(), 7u);
}

TEST(MidiWriter, OverlappingNotesOfOnePitchAreWrittenAsTheReaderPairsThem) {
  Score s;
  s.tracks = {{""}};
  s.notes = {make_note(60, 0, 960), make_note(60, 480, 720)};
  ReadResult r = read_back(s);
  ASSERT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.score.notes[0].end_ticks, 480);
  EXPECT_EQ(r.score.notes[1].start_ticks, 480);
  EXPECT_EQ(r.score.notes[1].end_ticks, 720);
}

TEST(MidiWriter, NotesBeyondTheTrackListGetTracksAndVelocitiesAreClamped) {
  Score s;  // as a decoder might build it: notes, no track list
  s.notes = {make_note(60, 0, 10, 2, 0, 0, 0), make_note(61, 0, 10, 0, 0, 0, 300)};
  ReadResult r = read_back(s);
  ASSERT_EQ(r.score.tracks.size(), 3u);
  ASSERT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.score.notes[0].velocity, 127);  // track 0 sorts first
  EXPECT_EQ(r.score.notes[1].velocity, 1);    // 0 would be a note-off
}

TEST(MidiWriter, StreamAndFileHoldTheSameBytes) {
  const Score s = band();
  const Bytes bytes = write_bytes(s);
  std::ostringstream out;
  write(s, out);
  EXPECT_EQ(out.str(), std::string(bytes.begin(), bytes.end()));
  const auto path = std::filesystem::temp_directory_path() / "musegen_writer_test.mid";
  write_file(s, path);
  ReadResult r = read_file(path);
  std::filesystem::remove(path);
  EXPECT_TRUE(same_music(s, r.score));
}

TEST(MidiWriter, ScoresAFileCannotHoldAreConfigErrors) {
  auto expect_error = [](Score s, const std::string& key, int format = 1) {
    WriteOptions options;
    options.format = format;
    try {
      write_bytes(s, options);
      ADD_FAILURE() << "no error for " << key;
    } catch (const ConfigError& e) {
      EXPECT_NE(e.key().find(key), std::string::npos) << e.what();
    }
  };
  Score ok;
  ok.notes = {make_note(60, 0, 10)};
  Score s = ok;
  s.notes[0].pitch = 128;
  expect_error(s, "pitch");
  s = ok;
  s.notes[0].channel = 16;
  expect_error(s, "channel");
  s = ok;
  s.notes[0].end_ticks = -1;
  expect_error(s, "ticks");
  s = ok;
  s.tempos = {{0, 0}};
  expect_error(s, "tempos");
  s = ok;
  s.time_signatures = {{0, 3, 3}};
  expect_error(s, "time_signatures");
  s = ok;
  s.key_signatures = {{0, 8, false}};
  expect_error(s, "key_signatures");
  s = ok;
  s.ticks_per_quarter = 40000;
  expect_error(s, "ticks_per_quarter");
  s = ok;
  s.notes.push_back(make_note(60, 0x20000000, 0x20000001));
  expect_error(s, "ticks");
  expect_error(ok, "format", 2);
  EXPECT_NO_THROW(write_bytes(ok));
}

}  // namespace
}  // namespace musegen::midi
