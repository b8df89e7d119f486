// Damaged input: every repair keeps what can be read and warns with the file and byte
// offset; --strict turns each warning into a ParseError; unreadable files are ParseErrors
// with the offset and what was expected; no input yields an impossible value.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/smf_builder.h"

namespace musegen::midi {
namespace {

using testing::Bytes;
using testing::SmfBytes;
using testing::TrackBytes;

constexpr std::int64_t kFirstBody = 22;  // 14-byte header + 8-byte MTrk header

// The one warning of `r` containing `text`; fails when there is not exactly one.
const Diagnostic* warning_with(const ReadResult& r, const std::string& text) {
  const Diagnostic* found = nullptr;
  int n = 0;
  for (const auto& w : r.warnings)
    if (w.message.find(text) != std::string::npos) {
      found = &w;
      ++n;
    }
  EXPECT_EQ(n, 1) << "warnings containing \"" << text << "\"";
  if (n != 1)
    for (const auto& w : r.warnings) ADD_FAILURE() << "  warning: " << w.to_string();
  return found;
}

TrackBytes two_notes() {
  TrackBytes t;
  t.on(0, 0, 60, 80).off(10, 0, 60).on(0, 0, 62, 80).off(10, 0, 62);
  return t;
}

TEST(MidiDamage, TrackCutShortKeepsWhatWasRead) {
  TrackBytes t = two_notes();
  t.raw({0x00, 0x90, 64});  // cut inside a note-on
  Bytes bytes = SmfBytes(0, 1, 480).track(t).bytes;
  ReadResult r = read(bytes, "cut.mid");
  const Diagnostic* w = warning_with(r, "track cut short");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->file, "cut.mid");
  EXPECT_EQ(w->byte_offset, static_cast<std::int64_t>(bytes.size()) - 3);
  ASSERT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.score.notes[1].end_ticks, 20);
}

TEST(MidiDamage, FileCutShortInsideATrack) {
  Bytes bytes = SmfBytes(0, 1, 480).track(two_notes().end()).bytes;
  bytes.resize(bytes.size() - 6);  // cut inside the last note-off
  ReadResult r = read(bytes, "cut.mid");
  EXPECT_NE(warning_with(r, "chunk length runs past the end of the file by 6 bytes"), nullptr);
  EXPECT_NE(warning_with(r, "track cut short"), nullptr);
  const Diagnostic* open = warning_with(r, "1 note(s) never turned off");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->byte_offset, kFirstBody + 8);  // the note-on of pitch 62
  ASSERT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.score.notes[1].pitch, 62);
  EXPECT_EQ(r.score.notes[1].end_ticks, 10);  // ends at the last event read
}

TEST(MidiDamage, MissingEndOfTrack) {
  Bytes bytes = SmfBytes(0, 1, 480).track(two_notes()).bytes;
  ReadResult r = read(bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "missing End-of-Track");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.warnings.size(), 1u);
}

TEST(MidiDamage, TrackLengthShorterThanItsEventsResynchronises) {
  TrackBytes a = two_notes().end(), b;
  b.on(0, 1, 70, 80).off(10, 1, 70).end();
  // The first chunk claims 6 bytes fewer than it holds: its tail is garbage before track 2.
  Bytes bytes = SmfBytes(1, 2, 480)
                    .track_with_length(a, static_cast<std::uint32_t>(a.bytes.size() - 6))
                    .track(b)
                    .bytes;
  ReadResult r = read(bytes, "x.mid");
  EXPECT_NE(warning_with(r, "6 bytes of garbage before a track chunk skipped"), nullptr);
  EXPECT_NE(warning_with(r, "track cut short"), nullptr);
  ASSERT_EQ(r.events.tracks.size(), 2u);
  ASSERT_EQ(r.score.notes.size(), 3u);
  EXPECT_EQ(r.score.notes[1].pitch, 70);
  EXPECT_EQ(r.score.notes[1].track, 1);
}

TEST(MidiDamage, VariableLengthQuantityOverFourBytes) {
  TrackBytes t = two_notes();
  t.raw({0x81, 0x80, 0x80, 0x80, 0x00, 0x90, 64, 80}).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "variable-length delta time longer than 4 bytes");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, kFirstBody + 16);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, DataByteWithoutRunningStatus) {
  TrackBytes t;
  t.event(0, {60, 80}).on(0, 0, 61, 80).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "data byte 0x3C where a status byte is needed");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, kFirstBody + 1);
  EXPECT_TRUE(r.score.notes.empty());
}

TEST(MidiDamage, UndefinedStatusByte) {
  TrackBytes t = two_notes();
  t.event(0, {0xF4, 0x01}).on(0, 0, 64, 80).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "undefined status byte 0xF4");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, kFirstBody + 17);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, StatusByteWhereDataIsNeeded) {
  TrackBytes t;
  t.event(0, {0x90, 60, 0x90, 61, 80}).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(r, "status byte 0x90 where a data byte of 0x90 is needed"), nullptr);
  EXPECT_TRUE(r.score.notes.empty());
}

TEST(MidiDamage, SystemMessagesAreSkipped) {
  TrackBytes t;
  t.on(0, 0, 60, 80).event(0, {0xF2, 0x10, 0x20}).event(0, {0xF8}).off(10, 0, 60).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(r, "system message 0xF2"), nullptr);
  EXPECT_NE(warning_with(r, "system message 0xF8"), nullptr);
  ASSERT_EQ(r.score.notes.size(), 1u);
  EXPECT_EQ(r.score.notes[0].end_ticks, 10);
}

TEST(MidiDamage, ZeroAndMalformedTemposAreIgnored) {
  TrackBytes t;
  t.tempo(0, 0).meta(0, 0x51, {0x07, 0xA1}).tempo(0, 1000000).on(0, 0, 60, 80);
  t.off(480, 0, 60).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* zero = warning_with(r, "tempo of 0");
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->byte_offset, kFirstBody);
  EXPECT_NE(warning_with(r, "malformed tempo (length 2, expected 3)"), nullptr);
  ASSERT_EQ(r.score.tempos.size(), 1u);
  EXPECT_DOUBLE_EQ(r.score.notes[0].end_sec, 1.0);
  EXPECT_TRUE(std::isfinite(r.score.duration_sec()));
}

TEST(MidiDamage, MalformedSignaturesAreIgnored) {
  TrackBytes t;
  t.meta(0, 0x58, {4, 2}).meta(0, 0x58, {0, 2, 24, 8}).meta(0, 0x58, {4, 40, 24, 8});
  t.meta(0, 0x59, {9, 0}).meta(0, 0x59, {0}).meta(0, 0x59, {1, 3}).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(r, "malformed time signature (length 2"), nullptr);
  EXPECT_NE(warning_with(r, "impossible time signature 0/2^2"), nullptr);
  EXPECT_NE(warning_with(r, "impossible time signature 4/2^40"), nullptr);
  EXPECT_NE(warning_with(r, "impossible key signature (9 sharps"), nullptr);
  EXPECT_NE(warning_with(r, "malformed key signature (length 1"), nullptr);
  EXPECT_NE(warning_with(r, "mode 3"), nullptr);
  EXPECT_TRUE(r.score.time_signatures.empty());
  EXPECT_TRUE(r.score.key_signatures.empty());
}

TEST(MidiDamage, MetaAndSysExLengthsRunningPastTheChunk) {
  TrackBytes a = two_notes(), b = two_notes();
  a.raw({0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 'a'});  // claims 0x0FFFFFFF bytes
  b.raw({0x00, 0xF0, 0x20, 0x01});
  ReadResult r = read(SmfBytes(1, 2, 480).track(a).track(b).bytes, "x.mid");
  EXPECT_NE(warning_with(r, "meta event length 268435455 runs past the end"), nullptr);
  EXPECT_NE(warning_with(r, "SysEx (0xF0) length 32 runs past the end"), nullptr);
  EXPECT_EQ(r.score.notes.size(), 4u);
}

TEST(MidiDamage, TrackCountDifferentFromHeader) {
  TrackBytes t = two_notes().end();
  ReadResult fewer = read(SmfBytes(1, 3, 480).track(t).track(t).bytes, "x.mid");
  const Diagnostic* w = warning_with(fewer, "header declares 3 tracks, found 2");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, 10);
  ReadResult more = read(SmfBytes(1, 1, 480).track(t).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(more, "header declares 1 tracks, found 2"), nullptr);
  EXPECT_EQ(more.score.notes.size(), 4u);
  // A header claiming 65535 tracks allocates nothing for them.
  ReadResult claims = read(SmfBytes(1, 65535, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(claims, "header declares 65535 tracks, found 1"), nullptr);
}

TEST(MidiDamage, GarbageAfterTheLastTrack) {
  Bytes bytes = SmfBytes(0, 1, 480).track(two_notes().end()).raw({0, 0, 0x1A, 0x1A, 0x1A}).bytes;
  ReadResult r = read(bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "5 bytes of garbage after the last track ignored");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, static_cast<std::int64_t>(bytes.size()) - 5);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, BytesAfterEndOfTrackAreIgnored) {
  TrackBytes t = two_notes().end();
  t.on(0, 0, 70, 80);
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(r, "4 bytes after End-of-Track"), nullptr);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, NoteOffsWithoutNoteOns) {
  TrackBytes t;
  t.off(0, 3, 50).on(0, 0, 60, 80).off(10, 0, 60).off(0, 0, 60).off(0, 0, 61).end();
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* w =
      warning_with(r, "track 0: note-off of pitch 50 on channel 3 with no note of that pitch "
                      "sounding, ignored (and 2 more");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, kFirstBody);
  EXPECT_EQ(r.score.notes.size(), 1u);
  EXPECT_EQ(r.restrikes, std::vector<std::int64_t>{0});
}

// Two note-ons of one pitch, then two note-offs: the second on re-strikes (ends the first note),
// the first off ends the second note, and the surplus off is the re-strike's: counted, not a
// warning.
TEST(MidiDamage, ReStruckNotesAreCountedNotWarnedAbout) {
  TrackBytes t;
  t.on(0, 0, 60, 80).on(100, 0, 60, 80).off(100, 0, 60).off(100, 0, 60);
  t.on(0, 0, 62, 80).off(10, 0, 62).off(10, 0, 62).end();  // a real stray off: a warning
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  ASSERT_EQ(r.score.notes.size(), 3u);
  EXPECT_EQ(r.score.notes[0].end_ticks, 100);
  EXPECT_EQ(r.score.notes[1].end_ticks, 200);
  EXPECT_EQ(r.restrikes, std::vector<std::int64_t>{1});
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].message.find("note-off of pitch 62"), std::string::npos);
}

TEST(MidiDamage, UnknownFormatAndFormat0WithSeveralTracks) {
  TrackBytes t = two_notes().end();
  ReadResult unknown = read(SmfBytes(7, 1, 480).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(unknown, "unknown format 7, read as format 1"), nullptr);
  ReadResult zero = read(SmfBytes(0, 2, 480).track(t).track(t).bytes, "x.mid");
  EXPECT_NE(warning_with(zero, "format 0 file with 2 tracks"), nullptr);
  EXPECT_EQ(zero.score.notes.size(), 4u);
}

TEST(MidiDamage, EndOfTrackWithDataStillEndsTheTrack) {
  TrackBytes t = two_notes();
  t.meta(0, 0x2F, {1, 2});
  ReadResult r = read(SmfBytes(0, 1, 480).track(t).bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "End-of-Track with length 2, expected 0");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, kFirstBody + 16);
  EXPECT_EQ(r.score.notes.size(), 2u);
  EXPECT_EQ(r.events.tracks[0].end_tick, 20);
}

TEST(MidiDamage, DamagedHeaderLengthWithATrackAfterSixBytes) {
  Bytes bytes = SmfBytes(0, 1, 480).track(two_notes().end()).bytes;
  bytes[4] = 0x40;  // header length 0x40000006
  ReadResult r = read(bytes, "x.mid");
  const Diagnostic* w = warning_with(r, "header length 1073741830 runs past the end");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->byte_offset, 4);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, UnknownChunkRunningPastTheFileStopsReading) {
  Bytes bytes =
      SmfBytes(1, 2, 480).track(two_notes().end()).raw({'J', 'U', 'N', 'K', 0, 0, 1, 0, 5}).bytes;
  ReadResult r = read(bytes, "x.mid");
  EXPECT_NE(warning_with(r, "'JUNK' chunk length runs past the end of the file"), nullptr);
  EXPECT_NE(warning_with(r, "header declares 2 tracks, found 1"), nullptr);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

TEST(MidiDamage, RiffLengthsRunningPastTheFileAreClipped) {
  Bytes rmid = testing::rmid_wrap(SmfBytes(0, 1, 480).track(two_notes().end()).bytes);
  rmid[5] = 0x10;   // RIFF length + 4096
  rmid[31] = 0x10;  // 'data' length + 4096
  ReadResult r = read(rmid, "x.rmi");
  EXPECT_NE(warning_with(r, "RIFF length runs past the end of the file"), nullptr);
  EXPECT_NE(warning_with(r, "RMID 'data' chunk length runs past the end of the RIFF data"),
            nullptr);
  EXPECT_EQ(r.score.notes.size(), 2u);
}

// Unreadable files: a ParseError naming the file, the offset and what was expected.
struct Unreadable {
  const char* what;
  Bytes bytes;
  std::int64_t byte_offset;
  const char* detail;
};

std::vector<Unreadable> unreadable_cases() {
  Bytes division0 = SmfBytes(0, 1, 0).track(two_notes().end()).bytes;
  Bytes short_header = SmfBytes(0, 1, 480).bytes;
  short_header[7] = 4;
  Bytes riff_wave = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E'};
  Bytes rmid_no_data = {'R', 'I', 'F', 'F', 12,  0,   0, 0, 'R', 'M',
                        'I', 'D', 'L', 'I', 'S', 'T', 0, 0, 0,   0};
  Bytes long_header = SmfBytes(0, 1, 480).bytes;
  long_header[4] = 0x7F;
  return {
      {"empty", {}, 0, "not a MIDI file: expected 'MThd' or a RIFF RMID header, found an empty"},
      {"text", {'h', 'e', 'l', 'l', 'o'}, 0, "found bytes 0x68 0x65 0x6C 0x6C"},
      {"cut header", {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0}, 9, "file ends inside the MThd header"},
      {"header length", short_header, 4, "header length 4, expected 6"},
      {"long header", long_header, 4, "runs past the end of the file, expected 6"},
      {"division 0", division0, 12, "time division of 0"},
      {"smpte fps", SmfBytes(0, 1, 0xE10A).bytes, 12, "SMPTE format -31, expected -24"},
      {"smpte ticks", SmfBytes(0, 1, 0xE700).bytes, 13, "SMPTE division with 0 ticks per frame"},
      {"riff wave", riff_wave, 8, "RIFF file of type 'WAVE', expected 'RMID'"},
      {"rmid without data", rmid_no_data, 12, "RIFF RMID wrapper with no 'data' chunk"},
  };
}

TEST(MidiDamage, UnreadableFilesThrowParseErrorWithOffset) {
  for (const auto& c : unreadable_cases()) {
    SCOPED_TRACE(c.what);
    try {
      read(c.bytes, "bad.mid");
      ADD_FAILURE() << "no error";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.file(), "bad.mid");
      EXPECT_EQ(e.byte_offset(), c.byte_offset);
      EXPECT_NE(e.detail().find(c.detail), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("bad.mid: byte ", 0), 0u);
    }
  }
}

// Every damaged case above, read strictly, is an error at the warning's offset.
TEST(MidiDamage, StrictTurnsEveryWarningIntoAnError) {
  std::vector<Bytes> damaged;
  TrackBytes cut = two_notes();
  cut.raw({0x00, 0x90, 64});
  damaged.push_back(SmfBytes(0, 1, 480).track(cut).bytes);
  damaged.push_back(SmfBytes(0, 1, 480).track(two_notes()).bytes);
  damaged.push_back(SmfBytes(0, 2, 480).track(two_notes().end()).bytes);
  damaged.push_back(SmfBytes(0, 1, 480).track(two_notes().end()).raw({0, 0, 0}).bytes);
  TrackBytes zero_tempo;
  zero_tempo.tempo(0, 0).end();
  damaged.push_back(SmfBytes(0, 1, 480).track(zero_tempo).bytes);
  TrackBytes stray;
  stray.off(0, 0, 60).end();
  damaged.push_back(SmfBytes(0, 1, 480).track(stray).bytes);
  ReadOptions strict;
  strict.strict = true;
  for (std::size_t i = 0; i < damaged.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    ReadResult lenient = read(damaged[i], "d.mid");
    ASSERT_FALSE(lenient.warnings.empty());
    try {
      read(damaged[i], "d.mid", strict);
      ADD_FAILURE() << "strict read did not throw";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.byte_offset(), lenient.warnings[0].byte_offset);
      EXPECT_NE(e.detail().find(lenient.warnings[0].message), std::string::npos);
    }
  }
  EXPECT_NO_THROW(read(SmfBytes(0, 1, 480).track(two_notes().end()).bytes, "ok.mid", strict));
}

void expect_possible(const ReadResult& r) {
  const Score& s = r.score;
  for (const Note& n : s.notes) {
    ASSERT_GE(n.pitch, 0);
    ASSERT_LE(n.pitch, 127);
    ASSERT_GE(n.velocity, 1);
    ASSERT_LE(n.velocity, 127);
    ASSERT_GE(n.channel, 0);
    ASSERT_LE(n.channel, 15);
    ASSERT_GE(n.program, 0);
    ASSERT_LE(n.program, 127);
    ASSERT_GE(n.start_ticks, 0);
    ASSERT_GE(n.end_ticks, n.start_ticks);
    ASSERT_TRUE(std::isfinite(n.start_sec) && std::isfinite(n.end_sec));
    ASSERT_LE(n.start_sec, n.end_sec);
    ASSERT_GE(n.track, 0);
    ASSERT_LT(n.track, static_cast<int>(s.tracks.size()));
  }
  for (const auto& t : s.tempos) ASSERT_GT(t.us_per_quarter, 0);
  ASSERT_TRUE(std::isfinite(s.duration_sec()));
}

// Thousands of random mutations of a valid file: only ParseError, never an impossible value.
TEST(MidiDamage, RandomMutationsNeverYieldImpossibleValues) {
  TrackBytes conductor, a, b;
  conductor.tempo(0, 500000).meta(0, 0x58, {4, 2, 24, 8}).end();
  a.name("A").program(0, 0, 10).on(0, 0, 60, 80).event(10, {62, 90}).off(10, 0, 60);
  a.event(0, {0xF0, 0x02, 0x01, 0xF7}).event(5, {0x80, 62, 0}).end();
  b.on(0, 9, 36, 100).off(20, 9, 36).tempo(0, 300000).end();
  const Bytes base = SmfBytes(1, 3, 96).track(conductor).track(a).track(b).bytes;
  std::mt19937 rng(1234);
  int n_errors = 0;
  for (int i = 0; i < 4000; ++i) {
    Bytes bytes = base;
    const int n_mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < n_mutations; ++m) {
      const std::size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0:
          bytes[at] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        default:
          bytes.resize(at + 1);
          break;
      }
      if (bytes.empty()) bytes.push_back(0);
    }
    try {
      expect_possible(read(bytes, "m.mid"));
    } catch (const ParseError&) {
      ++n_errors;
    }
    if (::testing::Test::HasFatalFailure()) FAIL() << "mutation " << i;
  }
  EXPECT_LT(n_errors, 4000);  // most mutants are still readable
}

}  // namespace
}  // namespace musegen::midi
