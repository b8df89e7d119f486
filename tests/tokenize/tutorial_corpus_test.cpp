// The tutorial tokenizer on the real piano-ff corpus: token for token equal to music21
// 5.5's own tokens (piano-ff-music21-tokens), and round trips through decoding.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/file_io.h"
#include "midi/reader.h"
#include "support/test_data.h"
#include "tokenize/music21_pitch.h"
#include "tokenize/music21_test_events.h"
#include "tokenize/tutorial_tokenizer.h"

namespace musegen::tokenize {
namespace {

EventFile read_corpus_events(const std::filesystem::path& path) {
  auto bytes = read_file_bytes(path);
  Diagnostics warnings;
  return midi::read_events(bytes, path.filename().string(), {}, warnings);
}

Tokens read_reference(const std::filesystem::path& path) {
  std::ifstream in(path);
  Tokens tokens;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  return tokens;
}

// Every piano-ff file's tokens, by file stem.
std::map<std::string, Tokens> corpus_tokens() {
  std::map<std::string, Tokens> all;
  for (const auto& path : testing::midi_files_under("piano-ff"))
    all[path.stem().string()] = TutorialTokenizer::encode_events(read_corpus_events(path));
  return all;
}

TEST(TutorialCorpus, EqualsMusic21sTokensOnEveryReferenceFile) {
  MUSEGEN_REQUIRE_DATA("piano-ff-music21-tokens");
  MUSEGEN_REQUIRE_DATA("piano-ff");
  auto all = corpus_tokens();
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::data_dir() / "piano-ff-music21-tokens")) {
    std::string stem = entry.path().stem().string();
    ASSERT_TRUE(all.count(stem)) << "no piano-ff file for " << entry.path();
    const Tokens expected = read_reference(entry.path());
    const Tokens& got = all[stem];
    std::size_t same = 0;
    while (same < got.size() && same < expected.size() && got[same] == expected[same]) ++same;
    EXPECT_EQ(got, expected) << stem << ": " << got.size() << " tokens, music21 " << expected.size()
                             << ", first difference at " << same;
    ++checked;
  }
  EXPECT_EQ(checked, 62);
}

TEST(TutorialCorpus, EveryFileTokenizesWithTheSpecifiedCounts) {
  MUSEGEN_REQUIRE_DATA("piano-ff");
  auto all = corpus_tokens();
  EXPECT_EQ(all.size(), 92u);
  std::size_t total = 0;
  for (const auto& [stem, tokens] : all) total += tokens.size();
  EXPECT_EQ(total, 57177u);         // music21 5.5 over all 92 files, held-back ones included
  EXPECT_EQ(all["AT"].size(), 0u);  // 14 programs at tick 0: only zero-length spans for Piano
  EXPECT_EQ(all["EyesOnMePiano"].size(), 710u);  // tracks 3 and 4 have no program change
  EXPECT_EQ(all["ff1battp"].size(), 200u);       // programs 0 against 1 and 1
}

TEST(TutorialCorpus, DecodingThenEncodingGivesTheTokensBack) {
  MUSEGEN_REQUIRE_DATA("piano-ff");
  // With elements that do not overlap, decoding keeps everything the tokens say, except that
  // a chord of one pitch class (C4 + C5 -> "0") comes back as that class's note in octave 4.
  TutorialTokenizer tokenizer(nlohmann::json{{"spacing_beats", 0.5}, {"duration_beats", 0.5}});
  int one_class_chords = 0;
  for (const auto& [stem, tokens] : corpus_tokens()) {
    if (tokens.empty()) continue;  // an empty score has no part music21 could read
    Tokens expected = tokens;
    for (auto& token : expected) {
      if (token.find_first_not_of("0123456789") != std::string::npos) continue;
      token = music21_pitch_name(60 + std::stoi(token));
      ++one_class_chords;
    }
    Score score = tokenizer.decode(tokens);
    EventFile events = testing::score_events(score);
    EXPECT_EQ(tokenizer.encode({score, &events}), expected) << stem;
  }
  EXPECT_GT(one_class_chords, 0);
}

}  // namespace
}  // namespace musegen::tokenize
