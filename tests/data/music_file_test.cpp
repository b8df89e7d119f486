// read_music_file: MIDI and MusicXML told apart by their bytes, into the same Score; MusicXML's
// synthesised events give the tutorial tokenizer what it gives for the MIDI file of the same
// music; a corpus folder holds both kinds, a bad MusicXML file among them skipped and counted.
#include "data/music_file.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "data/corpus.h"
#include "data/corpus_fixture.h"
#include "midi/writer.h"
#include "score/musicxml_writer.h"
#include "tokenize/tokenizer.h"

namespace musegen::data {
namespace {

using testing::CorpusFolder;
using testing::melody;

class MusicFile_ : public CorpusFolder {};

std::string musicxml_of(const Score& s) {
  return score::to_musicxml(score::build_notation(s));
}

TEST_F(MusicFile_, MidiAndMusicXmlReadAlike) {
  const auto mid = write("tune.mid", melody({60, 64, 67, 72, 71, 67}));
  const MusicFile from_midi = read_music_file(mid);
  EXPECT_EQ(from_midi.format, MusicFormat::midi);
  const auto xml = write_text("tune.musicxml", musicxml_of(from_midi.score));
  const auto misnamed = write_text("tune.mid.xml.mid", musicxml_of(from_midi.score));
  for (const auto& path : {xml, misnamed}) {
    const MusicFile from_xml = read_music_file(path);
    EXPECT_EQ(from_xml.format, MusicFormat::musicxml) << path;
    ASSERT_EQ(from_xml.score.notes.size(), from_midi.score.notes.size()) << path;
    for (std::size_t i = 0; i < from_xml.score.notes.size(); ++i) {
      EXPECT_EQ(from_xml.score.notes[i].pitch, from_midi.score.notes[i].pitch);
      EXPECT_EQ(from_xml.score.notes[i].start_ticks, from_midi.score.notes[i].start_ticks);
      EXPECT_EQ(from_xml.score.notes[i].end_ticks, from_midi.score.notes[i].end_ticks);
    }
  }
}

TEST_F(MusicFile_, TokenizersSeeTheSameMusic) {
  const auto mid =
      write("chords.mid",
            testing::make_smf(
                {{48, 0, 960}, {52, 0, 960}, {55, 0, 960}, {72, 480, 960}, {74, 960, 1440}}));
  const MusicFile from_midi = read_music_file(mid);
  const MusicFile from_xml =
      read_music_file(write_text("chords.xml", musicxml_of(from_midi.score)));
  ASSERT_FALSE(from_xml.events.tracks.empty());  // synthesised from the Score
  for (const std::string name : {"tutorial", "notes", "performance", "frames"}) {
    const auto tokenizer = tokenize::make_tokenizer(name);
    EXPECT_EQ(tokenizer->encode({from_xml.score, &from_xml.events}),
              tokenizer->encode({from_midi.score, &from_midi.events}))
        << name;
  }
}

TEST_F(MusicFile_, CorpusFoldersHoldBothKinds) {
  write("a.mid", melody({60, 62, 64}));
  write_text("b.musicxml", musicxml_of(read_music_file(write("x.midi", melody({65, 67}))).score));
  std::filesystem::remove(root_ / "x.midi");
  write_text("sub/c.XML", musicxml_of(read_music_file(root_ / "a.mid").score));
  write_text("broken.mxl", "PK\3\4 not really a zip");
  write_text("notes.txt", "not music");
  EXPECT_TRUE(is_music_file_name("x.Mxl"));
  EXPECT_FALSE(is_music_file_name("x.txt"));
  CorpusOptions o;
  o.valid_fraction = 0;
  const Corpus c = load_corpus(root_, o);
  EXPECT_EQ(c.stats.files_found, 4u);
  EXPECT_EQ(c.stats.files_read, 3u);
  ASSERT_EQ(c.stats.skipped.size(), 1u);
  EXPECT_NE(c.stats.skipped[0].reason.find("broken.mxl"), std::string::npos);
  EXPECT_NE(c.stats.skipped[0].reason.find("not a readable .mxl"), std::string::npos);
  EXPECT_EQ(c.stats.notes, 8u);
}

TEST_F(MusicFile_, StrictModeTurnsMusicXmlWarningsIntoErrors) {
  const auto path = write_text("odd.musicxml", R"(<score-partwise><part-list>
    <score-part id="P1"><part-name>Flute</part-name></score-part></part-list>
    <part id="P1"><measure><attributes><divisions>1</divisions></attributes>
    <note><pitch><step>C</step><octave>5</octave></pitch><duration>1</duration></note>
    <mystery/></measure></part></score-partwise>)");
  const MusicFile lenient = read_music_file(path);
  EXPECT_EQ(lenient.warnings.size(), 1u);
  EXPECT_EQ(lenient.score.notes.size(), 1u);
  midi::ReadOptions strict;
  strict.strict = true;
  EXPECT_THROW(read_music_file(path, strict), ParseError);
}

}  // namespace
}  // namespace musegen::data
