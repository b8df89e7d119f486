// The split by file, transposition augmentation of the training part, and the vocabulary
// with unknown validation tokens.
#include <gtest/gtest.h>

#include <set>

#include "core/errors.h"
#include "data/corpus.h"
#include "data/corpus_fixture.h"
#include "data/file_tokens.h"
#include "midi/reader.h"
#include "tokenize/tokenizer.h"

namespace musegen::data {
namespace {

using testing::CorpusFolder;
using testing::melody;

std::vector<std::string> numbered_paths(int n) {
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) paths.push_back(std::string("song") + std::to_string(1000 + i));
  return paths;
}

std::size_t count_true(const std::vector<bool>& v) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), true));
}

TEST(Split, CountIsRoundedFractionAtLeastOneNeverAll) {
  EXPECT_EQ(count_true(choose_validation(numbered_paths(100), 0.1, 1)), 10u);
  EXPECT_EQ(count_true(choose_validation(numbered_paths(10), 0.25, 1)), 3u);  // round(2.5)
  EXPECT_EQ(count_true(choose_validation(numbered_paths(5), 0.01, 1)), 1u);
  EXPECT_EQ(count_true(choose_validation(numbered_paths(2), 0.9, 1)), 1u);
  EXPECT_EQ(count_true(choose_validation(numbered_paths(1), 0.5, 1)), 0u);
  EXPECT_EQ(count_true(choose_validation(numbered_paths(50), 0.0, 1)), 0u);
  EXPECT_THROW(choose_validation(numbered_paths(3), 1.0, 1), ConfigError);
  EXPECT_THROW(choose_validation(numbered_paths(3), -0.1, 1), ConfigError);
}

TEST(Split, DeterministicForASeedDifferentAcrossSeeds) {
  auto paths = numbered_paths(200);
  EXPECT_EQ(choose_validation(paths, 0.2, 7), choose_validation(paths, 0.2, 7));
  EXPECT_NE(choose_validation(paths, 0.2, 7), choose_validation(paths, 0.2, 8));
}

TEST(Split, MostlyStableWhenAFileIsAdded) {
  auto paths = numbered_paths(100);
  auto before = choose_validation(paths, 0.1, 3);
  paths.push_back("new.mid");
  auto after = choose_validation(paths, 0.1, 3);
  int moved = 0;
  for (std::size_t i = 0; i < before.size(); ++i) moved += before[i] != after[i];
  EXPECT_LE(moved, 1);
}

class CorpusSplit : public CorpusFolder {};

TEST_F(CorpusSplit, SplitIsByFileAndRepeatable) {
  for (int i = 0; i < 10; ++i) {
    std::string name = "t";
    name += std::to_string(i);
    write(name + ".mid", melody({50 + i, 60, 62 + i}));
  }
  CorpusOptions o;
  o.valid_fraction = 0.3;
  o.seed = 11;
  Corpus a = load_corpus(root_, o);
  Corpus b = load_corpus(root_, o);
  ASSERT_EQ(a.valid.size(), 3u);
  ASSERT_EQ(a.train.size(), 7u);
  std::set<std::string> train, valid;
  for (const auto& f : a.train) train.insert(f.path);
  for (const auto& f : a.valid) valid.insert(f.path);
  for (const auto& v : valid) EXPECT_EQ(train.count(v), 0u) << v;
  EXPECT_EQ(train.size() + valid.size(), 10u);
  ASSERT_EQ(b.valid.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(a.valid[i].path, b.valid[i].path);
  EXPECT_EQ(a.stats.train_files, 7u);
  EXPECT_EQ(a.stats.valid_files, 3u);
}

TEST_F(CorpusSplit, ExplicitValidationFolderAndItsUnknownTokens) {
  write("train/a.mid", melody({60, 62, 64}));
  write("train/b.mid", melody({60, 64}));
  write("valid/c.mid", melody({60, 66, 66, 62}));  // 66 never seen in training
  CorpusOptions o;
  o.tokenizer = {{"name", "tutorial"}};
  o.valid_dir = root_ / "valid";
  Corpus c = load_corpus(root_ / "train", o);
  ASSERT_EQ(c.train.size(), 2u);
  ASSERT_EQ(c.valid.size(), 1u);
  EXPECT_EQ(c.valid[0].path, "c.mid");
  // sorted(set(notes)) of the training part only: C4 D4 E4.
  ASSERT_EQ(c.vocabulary.size(), 4u + 3u);
  EXPECT_EQ(c.vocabulary.token(4), "C4");
  EXPECT_EQ(c.vocabulary.token(6), "E4");
  EXPECT_EQ(c.valid[0].ids,
            (std::vector<std::int32_t>{4, tokenize::kUnknownId, tokenize::kUnknownId, 5}));
  EXPECT_EQ(c.stats.unknown_tokens, 2u);
  EXPECT_EQ(c.stats.files_found, 3u);
}

TEST_F(CorpusSplit, ValidationFolderInsideTheCorpusIsNotTrainedOn) {
  write("a.mid", melody({60, 62, 64}));
  write("held_out/b.mid", melody({61, 63}));
  CorpusOptions o;
  o.valid_dir = root_ / "held_out";
  Corpus c = load_corpus(root_, o);
  ASSERT_EQ(c.train.size(), 1u);
  EXPECT_EQ(c.train[0].path, "a.mid");
  ASSERT_EQ(c.valid.size(), 1u);
  o.valid_dir = root_;
  EXPECT_THROW(load_corpus(root_, o), ConfigError);
  write_text("empty_valid/x.mid", "junk");
  o.valid_dir = root_ / "empty_valid";
  try {
    load_corpus(root_ / "held_out", o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty_valid"), std::string::npos) << e.what();
  }
}

TEST_F(CorpusSplit, GivenVocabularyMapsEverythingElseToUnknown) {
  write("a.mid", melody({60, 62, 64}));
  CorpusOptions o;
  o.tokenizer = {{"name", "tutorial"}};
  o.valid_fraction = 0;
  o.vocabulary = tokenize::Vocabulary::from_table({"D4"});
  Corpus c = load_corpus(root_, o);
  EXPECT_EQ(c.vocabulary.size(), 5u);
  EXPECT_EQ(c.train.at(0).ids,
            (std::vector<std::int32_t>{tokenize::kUnknownId, 4, tokenize::kUnknownId}));
  EXPECT_EQ(c.stats.unknown_tokens, 2u);
}

TEST(TransposeEvents, MovesPitchedNoteEventsOnly) {
  EventFile events;
  events.tracks.resize(1);
  auto& e = events.tracks[0].channel_events;
  e.push_back({0, 0x90, 60, 80});
  e.push_back({0, 0x99, 36, 80});   // drums
  e.push_back({0, 0xB0, 64, 127});  // a controller keeps its number
  e.push_back({10, 0x80, 60, 0});
  ASSERT_TRUE(transpose_events(events, 5));
  EXPECT_EQ(e[0].data1, 65);
  EXPECT_EQ(e[1].data1, 36);
  EXPECT_EQ(e[2].data1, 64);
  EXPECT_EQ(e[3].data1, 65);
  e[0].data1 = 125;
  EXPECT_FALSE(transpose_events(events, 3));
  EXPECT_EQ(e[0].data1, 125);  // untouched
  EXPECT_EQ(e[3].data1, 65);
}

TEST_F(CorpusSplit, TransposedCopiesForTrainingFilesOnly) {
  write("low.mid", melody({60, 64, 67}));
  write("top.mid", melody({100, 126}));  // +2 would leave 0..127
  write("v1.mid", melody({70, 72}));
  write("v2.mid", melody({71, 73}));
  CorpusOptions o;
  o.tokenizer = {{"name", "tutorial"}};
  o.valid_fraction = 0;
  o.transpose_min = -1;
  o.transpose_max = 2;
  Corpus c = load_corpus(root_, o);
  // Originals first (4 files), then copies: low -1 +1 +2; top -1 +1; v1, v2 -1 +1 +2.
  ASSERT_EQ(c.train.size(), 4u + 3u + 2u + 3u + 3u);
  EXPECT_EQ(c.stats.augmented_copies, 11u);
  EXPECT_EQ(c.train[4].path, "low.mid");
  EXPECT_EQ(c.train[4].transpose, -1);
  EXPECT_EQ(c.vocabulary.decode(c.train[4].ids), (tokenize::Tokens{"B3", "E-4", "F#4"}));
  EXPECT_EQ(c.vocabulary.decode(c.train[6].ids), (tokenize::Tokens{"D4", "F#4", "A4"}));
  EXPECT_EQ(c.train[8].path, "top.mid");
  EXPECT_EQ(c.train[8].transpose, 1);
  EXPECT_EQ(c.vocabulary.decode(c.train[8].ids), (tokenize::Tokens{"F7", "G9"}));

  // With a split, the validation files get no copies.
  o.valid_fraction = 0.5;
  Corpus split = load_corpus(root_, o);
  ASSERT_EQ(split.valid.size(), 2u);
  for (const auto& f : split.valid) EXPECT_EQ(f.transpose, 0);
  std::set<std::string> valid;
  for (const auto& f : split.valid) valid.insert(f.path);
  for (const auto& f : split.train) EXPECT_EQ(valid.count(f.path), 0u) << f.path;
  std::size_t copies = 0;
  for (const auto& f : split.train) copies += f.transpose != 0;
  EXPECT_EQ(copies, split.stats.augmented_copies);
  EXPECT_GE(copies, 5u);
}

}  // namespace
}  // namespace musegen::data
