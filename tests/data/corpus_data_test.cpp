// The corpus on the shared piano-ff folder, against music21's own tokens for the tutorial
// (../shared/data/piano-ff-music21-tokens): the corpus path (parallel reading, vocabulary,
// ids) must give back exactly music21's token sequence for every file it has.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>

#include "data/batches.h"
#include "data/corpus.h"
#include "support/test_data.h"

namespace musegen::data {
namespace {

tokenize::Tokens read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  tokenize::Tokens lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TEST(CorpusData, PianoFfTutorialTokensMatchMusic21) {
  MUSEGEN_REQUIRE_DATA("piano-ff");
  MUSEGEN_REQUIRE_DATA("piano-ff-music21-tokens");
  const auto root = musegen::testing::data_dir();
  CorpusOptions options;
  options.tokenizer = {{"name", "tutorial"}};
  options.valid_fraction = 0;
  Corpus corpus = load_corpus(root / "piano-ff", options);
  EXPECT_EQ(corpus.stats.files_found, 92u);
  EXPECT_EQ(corpus.stats.files_skipped, 0u);
  std::map<std::string, const TokenizedFile*> by_stem;
  for (const auto& f : corpus.train) by_stem[std::filesystem::path(f.path).stem().string()] = &f;
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "piano-ff-music21-tokens")) {
    const std::string stem = entry.path().stem().string();
    const tokenize::Tokens want = read_lines(entry.path());
    auto it = by_stem.find(stem);
    if (want.empty()) {
      EXPECT_EQ(it, by_stem.end()) << stem << " has no tokens and must not be in the corpus";
      continue;
    }
    ASSERT_NE(it, by_stem.end()) << stem;
    EXPECT_EQ(corpus.vocabulary.decode(it->second->ids), want) << stem;
    ++compared;
  }
  EXPECT_GE(compared, 55);
  // The tutorial's windows over the whole corpus: len(notes) - 100 of them.
  BatchOptions windows;
  windows.objective = "windows";
  windows.batch_size = 128;
  BatchSource source(corpus.train, windows);
  EXPECT_EQ(source.n_examples(), static_cast<std::int64_t>(corpus.stats.train_tokens) - 100);
  std::cout << "piano-ff: " << corpus.train.size() << " files, " << corpus.stats.train_tokens
            << " tokens, vocabulary " << corpus.vocabulary.size() << ", " << compared
            << " files compared with music21\n";
}

}  // namespace
}  // namespace musegen::data
