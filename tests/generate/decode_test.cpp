// Decoding generated ids to music: at a tempo and program, with the tutorial's overlapping
// repeats cut where the next one starts (what a MIDI file can hold), options checked.
#include "generate/decode.h"

#include <gtest/gtest.h>

#include "core/errors.h"
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
