// Decoding generated ids to music: at a tempo and program, with the tutorial's overlapping
// repeats cut where the next one starts (what a MIDI file can hold), a voice's notes where its
// next one starts, options checked.
#include "generate/decode.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/tutorial_tokenizer.h"

namespace musegen::generate {
namespace {

TEST(Decode, TheTutorialsOverlappingRepeatsAreCutAtTheNextOnset) {
  tokenize::TutorialTokenizer tokenizer;  // 1-beat notes every half beat
  auto vocabulary = tokenize::Vocabulary::from_sequences({{"C4", "E4", "0.4.7"}});
  const std::vector<std::int32_t> ids = {vocabulary.id("C4"), vocabulary.id("C4"),
                                         vocabulary.id("E4"), tokenize::kEndId};
  MusicOptions options;
  options.tempo_bpm = 60;
  options.program = 40;  // violin
  Score s = decode_music(tokenizer, vocabulary, ids, options);
  ASSERT_EQ(s.notes.size(), 3u);
  EXPECT_EQ(s.notes[0].pitch, 60);
  EXPECT_EQ(s.notes[0].end_ticks, s.notes[1].start_ticks);  // cut where the repeat starts
  EXPECT_EQ(s.notes[1].duration_ticks(), s.ticks_per_quarter);
  EXPECT_EQ(s.notes[2].pitch, 64);
  for (const Note& n : s.notes) EXPECT_EQ(n.program, 40);
  EXPECT_DOUBLE_EQ(s.notes[2].start_sec, 1.0);  // beat 1 at 60 bpm
  EXPECT_DOUBLE_EQ(s.duration_sec(), 2.0);
}

// A part of one voice (here a choir part) ends each note where its next one starts; a piano
// part keeps its held notes, and notes that start together are left alone.
TEST(Decode, AVoiceMovesFromNoteToNote) {
  tokenize::MultitrackTokenizer tokenizer;  // 12 steps per quarter
  const tokenize::Tokens tokens = {"inst:52", "inst:0", "bar",  "ts:4/4", "pos:0",  "trk:0", "p:60",
                                   "d:24",    "trk:1",  "p:48", "d:48",   "pos:12", "trk:0", "p:62",
                                   "d:12",    "p:67",   "d:12", "trk:1",  "p:52",   "d:12"};
  auto vocabulary = tokenize::Vocabulary::from_sequences({tokens});
  std::vector<std::int32_t> ids;
  for (const auto& t : tokens) ids.push_back(vocabulary.id(t));
  const Score s = decode_music(tokenizer, vocabulary, ids, {});
  ASSERT_EQ(s.notes.size(), 5u);
  const int q = s.ticks_per_quarter;
  auto note = [&](int pitch) {
    for (const Note& n : s.notes)
      if (n.pitch == pitch) return n;
    ADD_FAILURE() << "no note " << pitch;
    return Note{};
  };
  EXPECT_EQ(note(60).end_ticks - note(60).start_ticks, q);  // written 2 beats, cut at beat 1
  EXPECT_EQ(note(62).end_ticks - note(62).start_ticks, q);  // together with 67: both kept
  EXPECT_EQ(note(67).end_ticks - note(67).start_ticks, q);
  EXPECT_EQ(note(48).end_ticks - note(48).start_ticks, 4 * q);  // the piano holds its note
  EXPECT_EQ(note(52).start_ticks, q);
}

TEST(Decode, BadTempoOrProgramNameTheOption) {
  tokenize::TutorialTokenizer tokenizer;
  auto vocabulary = tokenize::Vocabulary::from_sequences({{"C4"}});
  MusicOptions o;
  o.tempo_bpm = 2000;
  try {
    decode_music(tokenizer, vocabulary, {}, o);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "tempo");
  }
  o = {};
  o.program = 128;
  EXPECT_THROW(decode_music(tokenizer, vocabulary, {}, o), ConfigError);
}

}  // namespace
}  // namespace musegen::generate
