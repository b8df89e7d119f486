// Primers: token text, a MIDI (or MusicXML) file's music in the model's tokenizer, and the
// tutorial's random window of a corpus (a slice of the concatenated ids, fixed by the seed).
#include "compose/primer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/errors.h"
#include "generate/generate_fixture.h"
#include "midi/writer.h"
#include "score/musicxml_writer.h"
#include "tokenize/notes_tokenizer.h"

namespace musegen::compose {
namespace {

using generate::testing::TempDir;

tokenize::NotesTokenizer notes_tokenizer() {
  return tokenize::NotesTokenizer(
      nlohmann::json{{"max_shift_steps", 12}, {"max_duration_steps", 12}});
}

tokenize::Vocabulary notes_vocabulary() {
  return tokenize::Vocabulary::from_table(notes_tokenizer().fixed_vocabulary());
}

// A little tune: `n` quarter notes rising from `first`.
Score tune(int first, int n) {
  Score s;
  s.tracks.push_back({"tune"});
  for (int i = 0; i < n; ++i) {
    Note note;
    note.pitch = first + i;
    note.velocity = 80;
    note.start_ticks = i * 480;
    note.end_ticks = i * 480 + 240;
    s.notes.push_back(note);
  }
  s.update_times();
  return s;
}

TEST(Primer, FromTokens) {
  const auto vocabulary = notes_vocabulary();
  Primer p = primer_from_tokens("t:2  p:60\td:3", vocabulary, true);
  EXPECT_EQ(p.ids, (std::vector<std::int32_t>{tokenize::kStartId, vocabulary.id("t:2"),
                                              vocabulary.id("p:60"), vocabulary.id("d:3")}));
  EXPECT_EQ(primer_from_tokens("<start> p:1 d:1", vocabulary, true).ids.size(), 3u);
  EXPECT_EQ(primer_from_tokens("p:1 d:1", vocabulary, false).ids.size(), 2u);
  try {
    primer_from_tokens("p:60 C4", vocabulary, true);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "primer-tokens");
    EXPECT_NE(std::string(e.what()).find("'C4'"), std::string::npos);
  }
  EXPECT_THROW(primer_from_tokens("  ", vocabulary, true), ConfigError);
}

TEST(Primer, FromAMidiFileInTheModelsTokenizer) {
  TempDir dir;
  const Score s = tune(60, 5);
  midi::write_file(s, dir.path() / "tune.mid");
  const auto tokenizer = notes_tokenizer();
  const auto vocabulary = notes_vocabulary();
  Primer p = primer_from_midi(dir.path() / "tune.mid", tokenizer, vocabulary, true);
  std::vector<std::int32_t> expected = {tokenize::kStartId};
  for (const auto& t : tokenizer.encode({s, nullptr})) expected.push_back(vocabulary.id(t));
  EXPECT_EQ(p.ids, expected);
  EXPECT_EQ(p.n_unknown, 0u);
  EXPECT_NE(p.source.find("tune.mid"), std::string::npos);
  // The same music as MusicXML primes alike.
  score::write_musicxml_file(s, dir.path() / "tune.musicxml");
  EXPECT_EQ(primer_from_midi(dir.path() / "tune.musicxml", tokenizer, vocabulary, true).ids,
            expected);
  // Pitches the vocabulary lacks are left out and counted.
  auto small = tokenize::Vocabulary::from_sequences({{"t:12", "p:60", "d:6"}});
  Primer q = primer_from_midi(dir.path() / "tune.mid", tokenizer, small, false);
  EXPECT_EQ(std::count(q.ids.begin(), q.ids.end(), small.id("p:60")), 1);
  EXPECT_EQ(q.n_unknown, 4u);  // p:61 .. p:64
  EXPECT_THROW(primer_from_midi(dir.path() / "missing.mid", tokenizer, vocabulary, true), IoError);
}

TEST(Primer, ARandomWindowOfACorpus) {
  TempDir dir;
  for (int f = 0; f < 3; ++f)
    midi::write_file(tune(50 + 10 * f, 8), dir.path() / ("f" + std::to_string(f) + ".mid"));
  const auto vocabulary = notes_vocabulary();
  const nlohmann::json config = notes_tokenizer().config();
  Primer a = primer_from_corpus(dir.path(), config, vocabulary, 10, 7, 1);
  Primer b = primer_from_corpus(dir.path(), config, vocabulary, 10, 7, 1);
  EXPECT_EQ(a.ids, b.ids);
  ASSERT_EQ(a.ids.size(), 10u);
  // The window is a slice of the files' ids laid end to end.
  std::vector<std::int32_t> stream;
  const auto tokenizer = notes_tokenizer();
  for (int f = 0; f < 3; ++f)
    for (const auto& t : tokenizer.encode({tune(50 + 10 * f, 8), nullptr}))
      stream.push_back(vocabulary.id(t));
  EXPECT_NE(std::search(stream.begin(), stream.end(), a.ids.begin(), a.ids.end()), stream.end());
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 20 && !differs; ++seed)
    differs = primer_from_corpus(dir.path(), config, vocabulary, 10, seed, 1).ids != a.ids;
  EXPECT_TRUE(differs);
  try {
    primer_from_corpus(dir.path(), config, vocabulary, 1000, 7, 1);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "primer-length");
  }
}

}  // namespace
}  // namespace musegen::compose
