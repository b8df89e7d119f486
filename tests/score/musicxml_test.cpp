// MusicXML out and in: every file written validates against the MusicXML 4.0 schema (xmllint),
// the part list names each part's instrument, writing then reading gives the same notes, a
// hand-written file with the features the reader knows reads as a musician means it, and bad
// input is a one-line error or a warning, never a crash.
#include <gtest/gtest.h>
#include <zip.h>

#include <pugixml.hpp>

#include "core/errors.h"
#include "core/file_io.h"
#include "midi/reader.h"
#include "score/musicxml_reader.h"
#include "score/musicxml_schema.h"
#include "score/musicxml_writer.h"
#include "score/mxl.h"
#include "score/pieces.h"
#include "score/process.h"
#include "support/test_data.h"

namespace musegen::score {

namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, Score>> pieces() {
  return {{"two_hand_piano", testing::two_hand_piano()},
          {"six_eight", testing::six_eight()},
          {"triplets_and_ties", testing::triplets_and_ties()},
          {"drum_groove", testing::drum_groove()}};
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

MusicXmlRead read_text(const std::string& xml, bool strict = false) {
  return read_musicxml(bytes_of(xml), "test.musicxml", strict);
}

// A zip archive holding `entries` (name, contents), as bytes.
std::vector<std::uint8_t> make_zip(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  TempFolder folder;
  const fs::path path = folder.path() / "archive.zip";
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, contents] : entries) {
    zip_source_t* src = zip_source_buffer(z, contents.data(), contents.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  return read_file_bytes(path);
}

TEST(MusicXmlOut, EveryWrittenFileValidates) {
  MUSEGEN_REQUIRE_SCHEMA();
  TempFolder folder;
  std::vector<fs::path> files;
  for (const auto& [name, score] : pieces()) {
    files.push_back(folder.path() / (name + ".musicxml"));
    write_musicxml_file(score, files.back(), {.title = name});
  }
  files.push_back(folder.path() / "empty.musicxml");
  write_musicxml_file(Score{}, files.back());
  EXPECT_EQ(testing::validate_musicxml(files), "");
}

TEST(MusicXmlOut, PartListNamesTheInstruments) {
  pugi::xml_document doc;
  const std::string xml = to_musicxml(build_notation(testing::two_hand_piano()));
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  const auto part = doc.child("score-partwise").child("part-list").child("score-part");
  EXPECT_STREQ(part.child_value("part-name"), "Acoustic Grand Piano");
  EXPECT_STREQ(part.child("midi-instrument").child_value("midi-program"), "1");
  EXPECT_STREQ(part.child("midi-instrument").child_value("midi-channel"), "1");
  const auto attributes =
      doc.child("score-partwise").child("part").child("measure").child("attributes");
  EXPECT_STREQ(attributes.child_value("staves"), "2");
  EXPECT_STREQ(attributes.child("key").child_value("fifths"), "2");

  const std::string drums = to_musicxml(build_notation(testing::drum_groove()));
  ASSERT_TRUE(doc.load_string(drums.c_str()));
  const auto drum_part = doc.child("score-partwise").child("part-list").child("score-part");
  int n_instruments = 0;
  for (auto mi : drum_part.children("midi-instrument")) {
    EXPECT_STREQ(mi.child_value("midi-channel"), "10");
    ++n_instruments;
  }
  EXPECT_EQ(n_instruments, 4);
  EXPECT_STREQ(drum_part.find_child_by_attribute("score-instrument", "id", "P1-I39")
                   .child_value("instrument-name"),
               "Acoustic Snare");
}

TEST(MusicXmlRoundTrip, PiecesReadBackTheSame) {
  for (const auto& [name, score] : pieces()) {
    const MusicXmlRead back = read_text(to_musicxml(build_notation(score)));
    EXPECT_TRUE(back.warnings.empty()) << name << ": " << back.warnings.front().to_string();
    // The piano's two hands come back as one part (track) on one channel.
    const bool piano = name == "two_hand_piano";
    auto key = [&](const Note& n) {
      return std::make_tuple(n.start_ticks, piano ? 0 : n.track, n.pitch, n.end_ticks, n.velocity,
                             n.program, piano ? 0 : n.channel);
    };
    std::vector<decltype(key(Note{}))> want, got;
    for (const Note& n : score.notes) want.push_back(key(n));
    for (const Note& n : back.score.notes) got.push_back(key(n));
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << name;
    EXPECT_EQ(back.score.ticks_per_quarter, 480);
    EXPECT_EQ(back.score.time_signatures.size(), score.time_signatures.size()) << name;
    ASSERT_EQ(back.score.tempos.size(), 1u);
    EXPECT_EQ(back.score.tempos[0].us_per_quarter, 500000);
  }
}

// The notes of a Score read back, as notated notes (part = track) in `divisions` per quarter.
std::vector<NotatedNote> notes_of(const Score& s, int divisions) {
  std::vector<NotatedNote> out;
  for (const Note& n : s.notes)
    out.push_back({n.track, n.pitch, n.start_ticks * divisions / s.ticks_per_quarter,
                   n.end_ticks * divisions / s.ticks_per_quarter, n.velocity});
  std::sort(out.begin(), out.end(), [](const NotatedNote& a, const NotatedNote& b) {
    return std::tie(a.start, a.part, a.pitch, a.end) < std::tie(b.start, b.part, b.pitch, b.end);
  });
  return out;
}

// What is read back is what was written: the quantised notes. Without grand staves (whose
// hands become one track) the notation of what was read back is the notation written.
void expect_read_back(const fs::path& file, const Score& score, const fs::path& out) {
  const Notation first = build_notation(score);
  write_musicxml_file(first, out);
  const MusicXmlRead back = read_musicxml_file(out);
  EXPECT_TRUE(back.warnings.empty()) << file;
  const auto written = notated_notes(first);
  EXPECT_EQ(notes_of(back.score, first.divisions), written) << file;
  const bool one_staff_each = std::all_of(first.parts.begin(), first.parts.end(),
                                          [](const Part& p) { return p.clefs.size() == 1; });
  if (one_staff_each) {
    EXPECT_EQ(notated_notes(build_notation(back.score)), written) << file;
  }
}

TEST(MusicXmlRoundTrip, CorpusNotationsSurvive) {
  MUSEGEN_REQUIRE_DATA("multipart/bach-satb/test");
  TempFolder folder;
  std::vector<fs::path> files = testing::midi_files_under("multipart/bach-satb/test");
  const auto piano = testing::midi_files_under("piano-ff");
  files.insert(files.end(), piano.begin(), piano.begin() + std::min<std::size_t>(piano.size(), 12));
  std::vector<fs::path> written;
  for (const auto& file : files) {
    midi::ReadResult read;
    try {
      read = midi::read_file(file);
    } catch (const Error&) {
      continue;
    }
    written.push_back(folder.path() / (file.stem().string() + ".musicxml"));
    expect_read_back(file, read.score, written.back());
  }
  EXPECT_GE(written.size(), 40u);
  if (testing::schema_missing_message().empty()) {
    EXPECT_EQ(testing::validate_musicxml(written), "");
  }
}

const char* const kFeatures = R"(<?xml version="1.0"?>
<score-partwise version="4.0">
 <part-list>
  <score-part id="P1"><part-name>Clarinet in Bb</part-name>
   <score-instrument id="P1-I1"><instrument-name>Clarinet</instrument-name></score-instrument>
   <midi-instrument id="P1-I1"><midi-channel>3</midi-channel><midi-program>72</midi-program></midi-instrument>
  </score-part>
  <score-part id="P2"><part-name>Drums</part-name>
   <score-instrument id="P2-I39"><instrument-name>Snare</instrument-name></score-instrument>
   <midi-instrument id="P2-I39"><midi-channel>10</midi-channel><midi-unpitched>39</midi-unpitched></midi-instrument>
  </score-part>
  <score-part id="P3"><part-name>Violin</part-name></score-part>
 </part-list>
 <part id="P1">
  <measure number="1">
   <attributes><divisions>2</divisions><key><fifths>-1</fifths><mode>minor</mode></key>
    <time><beats>3</beats><beat-type>4</beat-type></time>
    <transpose><diatonic>-1</diatonic><chromatic>-2</chromatic></transpose></attributes>
   <direction><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>90</per-minute></metronome></direction-type><sound tempo="90"/></direction>
   <note><pitch><step>D</step><octave>5</octave></pitch><duration>2</duration><tie type="start"/><voice>1</voice></note>
   <note><pitch><step>D</step><octave>5</octave></pitch><duration>1</duration><tie type="stop"/><voice>1</voice></note>
   <note><grace/><pitch><step>F</step><octave>5</octave></pitch><voice>1</voice></note>
   <note><pitch><step>E</step><octave>5</octave></pitch><duration>1</duration><voice>1</voice></note>
   <note><chord/><pitch><step>G</step><octave>5</octave></pitch><duration>1</duration><voice>1</voice></note>
   <backup><duration>4</duration></backup>
   <note><rest/><duration>2</duration><voice>2</voice></note>
   <note dynamics="50"><pitch><step>B</step><alter>-1</alter><octave>4</octave></pitch><duration>2</duration><voice>2</voice></note>
   <forward><duration>2</duration></forward>
  </measure>
  <measure number="2">
   <attributes><divisions>4</divisions></attributes>
   <note><pitch><step>C</step><octave>5</octave></pitch><duration>12</duration></note>
   <sound tempo="120"/>
  </measure>
 </part>
 <part id="P2">
  <measure number="1"><attributes><divisions>1</divisions><clef><sign>percussion</sign></clef></attributes>
   <note><unpitched><display-step>C</display-step><display-octave>5</display-octave></unpitched><duration>1</duration><instrument id="P2-I39"/></note>
   <note><unpitched><display-step>F</display-step><display-octave>4</display-octave></unpitched><duration>1</duration></note>
   <foo/>
   <note><rest/><duration>1</duration></note>
  </measure>
  <measure number="2"><note><rest measure="yes"/><duration>3</duration></note></measure>
 </part>
 <part id="P3">
  <measure number="1"><attributes><divisions>1</divisions></attributes>
   <note><pitch><step>A</step><octave>4</octave></pitch><duration>3</duration></note></measure>
  <measure number="2"><note><pitch><step>A</step><octave>4</octave></pitch><duration>3</duration></note></measure>
 </part>
</score-partwise>)";

TEST(MusicXmlIn, ReadsWhatAMusicianMeans) {
  const MusicXmlRead r = read_text(kFeatures);
  const Score& s = r.score;
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].message.find("unknown element <foo>"), std::string::npos);
  ASSERT_EQ(s.tracks.size(), 3u);
  EXPECT_EQ(s.tracks[0].name, "Clarinet in Bb");
  struct Expected {
    int track, pitch, channel, program, velocity;
    std::int64_t start, end;
  };
  // Written pitches sound a tone lower (Bb clarinet); ties joined; the grace note left out.
  const Expected expected[] = {
      {0, 72, 2, 71, 80, 0, 720},   {1, 38, 9, 0, 80, 0, 480},      {2, 69, 0, 40, 80, 0, 1440},
      {0, 68, 2, 71, 45, 480, 960}, {1, 36, 9, 0, 80, 480, 960},    {0, 74, 2, 71, 80, 720, 960},
      {0, 77, 2, 71, 80, 720, 960}, {0, 70, 2, 71, 80, 1440, 2880}, {2, 69, 0, 40, 80, 1440, 2880},
  };
  ASSERT_EQ(s.notes.size(), std::size(expected));
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    const Note& n = s.notes[i];
    const Expected& e = expected[i];
    EXPECT_EQ(n.track, e.track) << i;
    EXPECT_EQ(n.pitch, e.pitch) << i;
    EXPECT_EQ(n.channel, e.channel) << i;
    EXPECT_EQ(n.program, e.program) << i;
    EXPECT_EQ(n.velocity, e.velocity) << i;
    EXPECT_EQ(n.start_ticks, e.start) << i;
    EXPECT_EQ(n.end_ticks, e.end) << i;
  }
  ASSERT_EQ(s.key_signatures.size(), 1u);
  EXPECT_EQ(s.key_signatures[0].sharps, -1);
  EXPECT_TRUE(s.key_signatures[0].minor);
  ASSERT_EQ(s.time_signatures.size(), 1u);
  EXPECT_EQ(s.time_signatures[0].numerator, 3);
  ASSERT_EQ(s.tempos.size(), 2u);
  EXPECT_NEAR(s.tempos[0].bpm(), 90, 1e-3);
  EXPECT_EQ(s.tempos[1].tick, 2880);
  EXPECT_THROW(read_text(kFeatures, true), ParseError);  // strict: the unknown element
}

TEST(MusicXmlIn, TimewiseScores) {
  const MusicXmlRead r = read_text(R"(<score-timewise version="4.0"><part-list>
    <score-part id="A"><part-name>Flute</part-name></score-part>
    <score-part id="B"><part-name>Cello</part-name></score-part></part-list>
    <measure number="1">
      <part id="A"><attributes><divisions>1</divisions></attributes>
        <note><pitch><step>C</step><octave>5</octave></pitch><duration>4</duration></note></part>
      <part id="B"><attributes><divisions>1</divisions></attributes>
        <note><pitch><step>C</step><octave>3</octave></pitch><duration>2</duration></note></part>
    </measure>
    <measure number="2">
      <part id="A"><note><pitch><step>D</step><octave>5</octave></pitch><duration>4</duration></note></part>
      <part id="B"><note><pitch><step>D</step><octave>3</octave></pitch><duration>4</duration></note></part>
    </measure></score-timewise>)");
  ASSERT_EQ(r.score.notes.size(), 4u);
  EXPECT_EQ(r.score.tracks[1].name, "Cello");
  EXPECT_EQ(r.score.notes[3].pitch, 50);
  EXPECT_EQ(r.score.notes[3].track, 1);
  EXPECT_EQ(r.score.notes[3].start_ticks, 1920);  // bar 2 starts after bar 1's longest part
  EXPECT_EQ(r.score.notes[3].program, 42);        // "Cello" by name
}

TEST(MusicXmlIn, CompressedMxl) {
  const std::string xml = to_musicxml(build_notation(testing::six_eight()));
  const auto mxl = make_zip(
      {{"META-INF/container.xml", R"(<container><rootfiles><rootfile full-path="score/six.xml"/>)"
                                  R"(</rootfiles></container>)"},
       {"other.xml", "<not-a-score/>"},
       {"score/six.xml", xml}});
  const MusicXmlRead r = read_musicxml(mxl, "six.mxl");
  EXPECT_EQ(r.score.notes.size(), testing::six_eight().notes.size());
  // Without a container, the first .xml or .musicxml outside META-INF.
  const MusicXmlRead plain = read_musicxml(make_zip({{"six.musicxml", xml}}), "plain.mxl");
  EXPECT_EQ(plain.score.notes.size(), r.score.notes.size());
}

TEST(MusicXmlIn, BadInputIsAOneLineError) {
  const std::string good = to_musicxml(build_notation(testing::two_hand_piano()));
  const std::string bomb(kMaxMxlEntryBytes + 1024, ' ');
  struct Row {
    const char* what;
    std::vector<std::uint8_t> bytes;
    const char* message;
  };
  auto text = [](const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  const Row rows[] = {
      {"empty", {}, "not well-formed XML"},
      {"MIDI bytes", text("MThd\0\0\0\6"), "not well-formed XML"},
      {"truncated", text(good.substr(0, good.size() * 3 / 5)), "not well-formed XML"},
      {"another XML", text("<html><body/></html>"),
       "not a MusicXML score (the root element is <html>)"},
      {"a damaged zip", text(std::string("PK\3\4") + std::string(200, 'x')), "not a readable .mxl"},
      {"a zip without a score", make_zip({{"readme.txt", "hello"}}), "holds no MusicXML score"},
      {"a zip bomb", make_zip({{"score.xml", bomb}}), "a zip bomb?"},
  };
  for (const Row& r : rows) {
    try {
      read_musicxml(r.bytes, "bad.musicxml");
      ADD_FAILURE() << r.what << ": no error";
    } catch (const ParseError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("bad.musicxml", 0), 0u) << r.what << ": " << what;
      EXPECT_NE(what.find(r.message), std::string::npos) << r.what << ": " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << r.what << ": " << what;
    }
  }
}

TEST(MusicXmlIn, DamagedScoresReadWithWarnings) {
  const MusicXmlRead r = read_text(R"(<score-partwise><part-list>
    <score-part id="P1"><part-name>Oboe</part-name></score-part></part-list>
    <part id="P1"><measure number="1">
      <attributes><divisions>0</divisions><time><beats>x</beats><beat-type>3</beat-type></time></attributes>
      <note><pitch><step>H</step><octave>4</octave></pitch><duration>1</duration></note>
      <note><pitch><step>C</step><octave>20</octave></pitch><duration>1</duration></note>
      <backup><duration>5</duration></backup>
    </measure></part>
    <part id="P9"><measure><note><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration></note></measure></part>
    </score-partwise>)");
  std::string all;
  for (const auto& w : r.warnings) all += w.message + "\n";
  for (const char* expected :
       {"divisions 0 ignored", "time signature x/3 ignored", "step 'H' dropped",
        "outside MIDI pitches", "backup before the start", "part 'P9' missing from the part list"})
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " in\n" << all;
  EXPECT_THROW(read_text(R"(<score-partwise><part-list><score-part id="P1"/></part-list>
    <part id="P1"><measure><note><pitch><step>C</step><octave>4</octave></pitch>
    <duration>1e300</duration></note><note><pitch><step>D</step><octave>4</octave></pitch>
    <duration>1</duration></note></measure></part></score-partwise>)"),
               ParseError);
}

}  // namespace
}  // namespace musegen::score
