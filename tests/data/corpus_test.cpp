// load_corpus: the folder walk, parallel reading with skipped files, the split by file,
// transposition augmentation and the vocabulary, checked against direct sequential
// tokenization of the same files.
#include "data/corpus.h"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.h"
#include "data/corpus_fixture.h"
#include "data/file_tokens.h"
#include "midi/reader.h"
#include "tokenize/tokenizer.h"

namespace musegen::data {
namespace {

using testing::CorpusFolder;
using testing::melody;

// What the corpus should hold for one file: its tokens read and encoded directly.
tokenize::Tokens direct_tokens(const std::filesystem::path& path, const nlohmann::json& config,
                               int transpose = 0) {
  midi::ReadResult r = midi::read_file(path);
  if (transpose != 0) {
    r.score.transpose(transpose);
    EXPECT_TRUE(transpose_events(r.events, transpose));
  }
  return tokenize::make_tokenizer(config)->encode({r.score, &r.events});
}

CorpusOptions no_split(const std::string& tokenizer = "notes") {
  CorpusOptions o;
  o.tokenizer = {{"name", tokenizer}};
  o.valid_fraction = 0;
  return o;
}

std::vector<std::string> paths_of(const std::vector<TokenizedFile>& files) {
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  return paths;
}

class Corpus_ : public CorpusFolder {};

TEST_F(Corpus_, FindsMidiFilesRecursivelyInAnyCase) {
  write("b.mid", melody({60, 62, 64}));
  write("sub/A.MID", melody({65, 67}));
  write("sub/deeper/c.Midi", melody({69, 71, 72}));
  write_text("notes.txt", "not music");
  write("d.mid.bak", melody({60}));
  Corpus c = load_corpus(root_, no_split());
  EXPECT_EQ(c.stats.files_found, 3u);
  EXPECT_EQ(c.stats.files_read, 3u);
  EXPECT_EQ(paths_of(c.train),
            (std::vector<std::string>{"b.mid", "sub/A.MID", "sub/deeper/c.Midi"}));
  EXPECT_EQ(c.stats.notes, 8u);
  EXPECT_TRUE(c.valid.empty());
}

TEST_F(Corpus_, IdsAreTheDirectTokensOfEveryFileForEveryTokenizer) {
  write("one.mid", melody({60, 64, 67, 72, 71}));
  write("two.mid", testing::make_smf({{48, 0, 960}, {52, 0, 960}, {55, 0, 960}, {72, 480, 960}}));
  write("three.mid", melody({50, 50, 53, 57}));
  for (const std::string& name : tokenize::tokenizer_names()) {
    CorpusOptions o = no_split(name);
    Corpus c = load_corpus(root_, o);
    ASSERT_EQ(c.train.size(), 3u) << name;
    tokenize::Tokens all;
    for (const auto& f : c.train) {
      tokenize::Tokens want = direct_tokens(root_ / f.path, c.tokenizer_config);
      EXPECT_EQ(c.vocabulary.decode(f.ids), want) << name << " " << f.path;
      all.insert(all.end(), want.begin(), want.end());
    }
    EXPECT_EQ(c.stats.train_tokens, all.size()) << name;
    EXPECT_EQ(c.stats.unknown_tokens, 0u) << name;
    // Fixed tables give the table; others the sorted distinct training tokens (the tutorial's
    // sorted(set(notes))).
    auto table = tokenize::make_tokenizer(c.tokenizer_config)->fixed_vocabulary();
    tokenize::Vocabulary want = table.empty() ? tokenize::Vocabulary::from_sequences({all})
                                              : tokenize::Vocabulary::from_table(table);
    ASSERT_EQ(c.vocabulary.size(), want.size()) << name;
    for (std::int32_t id = 0; id < static_cast<std::int32_t>(want.size()); ++id)
      EXPECT_EQ(c.vocabulary.token(id), want.token(id)) << name;
  }
}

TEST_F(Corpus_, BadFilesAreSkippedWithTheirReasonAndTheRestLoads) {
  write("good.mid", melody({60, 62, 64}));
  write_text("garbage.mid", "this is not a MIDI file at all");
  write("truncated.midi", {'M', 'T', 'h', 'd', 0, 0});
  Corpus c = load_corpus(root_, no_split());
  EXPECT_EQ(c.stats.files_found, 3u);
  EXPECT_EQ(c.stats.files_read, 1u);
  EXPECT_EQ(c.stats.files_skipped, 2u);
  ASSERT_EQ(c.stats.skipped.size(), 2u);
  EXPECT_EQ(c.stats.skipped[0].file, "garbage.mid");
  EXPECT_EQ(c.stats.skipped[1].file, "truncated.midi");
  for (const auto& s : c.stats.skipped) {
    EXPECT_EQ(s.reason.rfind((root_ / s.file).string() + ": byte ", 0), 0u) << s.reason;
    EXPECT_EQ(s.reason.find('\n'), std::string::npos);
  }
  EXPECT_EQ(paths_of(c.train), (std::vector<std::string>{"good.mid"}));
  const std::string text = summary_text(c);
  EXPECT_NE(text.find("3 found, 1 read, 2 skipped"), std::string::npos) << text;
  EXPECT_NE(text.find(c.stats.skipped[0].reason), std::string::npos) << text;
  EXPECT_NE(text.find("training: 1 file, "), std::string::npos) << text;
  const nlohmann::json j = summary_json(c);
  EXPECT_EQ(j["files_skipped"], 2);
  EXPECT_EQ(j["skipped"][1]["file"], "truncated.midi");
  EXPECT_EQ(j["skipped"][1]["reason"], c.stats.skipped[1].reason);
  EXPECT_EQ(j["vocabulary_size"], c.vocabulary.size());
  EXPECT_EQ(j["tokenizer"]["name"], "notes");
  EXPECT_EQ(j["train_tokens"], c.stats.train_tokens);
}

TEST_F(Corpus_, FilesWithoutNotesAreCountedNotUsed) {
  write("empty.mid", testing::make_smf({}));
  write("tune.mid", melody({60, 62}));
  Corpus c = load_corpus(root_, no_split());
  EXPECT_EQ(c.stats.files_read, 2u);
  EXPECT_EQ(c.stats.files_empty, 1u);
  EXPECT_EQ(paths_of(c.train), (std::vector<std::string>{"tune.mid"}));
}

TEST_F(Corpus_, NoUsableFileIsAnErrorNamingTheFolder) {
  write_text("bad.mid", "MThd nonsense");
  write("empty.mid", testing::make_smf({}));
  try {
    load_corpus(root_, no_split());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no usable MIDI file in " + root_.string()), std::string::npos) << what;
    EXPECT_NE(what.find("bad.mid"), std::string::npos) << what;
  }
  std::filesystem::remove_all(root_ / "bad.mid");
  std::filesystem::remove_all(root_ / "empty.mid");
  EXPECT_THROW(load_corpus(root_, no_split()), Error);  // an empty folder
  EXPECT_THROW(load_corpus(root_ / "missing", no_split()), IoError);
  EXPECT_THROW(load_corpus(root_ / "missing", no_split()), IoError);
}

TEST_F(Corpus_, BadOptionsAreConfigErrors) {
  write("a.mid", melody({60, 62}));
  auto key_of = [&](CorpusOptions o) {
    try {
      load_corpus(root_, o);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("no error");
  };
  CorpusOptions o = no_split();
  o.valid_fraction = 1.0;
  EXPECT_EQ(key_of(o), "valid_fraction");
  o = no_split();
  o.transpose_min = 3;
  o.transpose_max = 1;
  EXPECT_EQ(key_of(o), "transpose");
  o = no_split();
  o.threads = -1;
  EXPECT_EQ(key_of(o), "threads");
  o = no_split();
  o.tokenizer = {{"name", "no-such-tokenizer"}};
  EXPECT_NE(key_of(o), "no error");
}

TEST_F(Corpus_, ResultIsTheSameWhateverTheThreadCount) {
  for (int i = 0; i < 24; ++i) {
    std::string name = "f";
    name += std::to_string(i % 7);
    name += "/t";
    name += std::to_string(i);
    write(name + ".mid", melody({40 + i, 45 + i % 5, 50 + (i * 7) % 11, 41 + i}));
  }
  write_text("f3/bad.mid", "junk");
  CorpusOptions o = no_split();
  o.valid_fraction = 0.2;
  o.transpose_min = -1;
  o.transpose_max = 1;
  o.threads = 1;
  Corpus one = load_corpus(root_, o);
  o.threads = 4;
  Corpus four = load_corpus(root_, o);
  ASSERT_EQ(one.train.size(), four.train.size());
  for (std::size_t i = 0; i < one.train.size(); ++i) {
    EXPECT_EQ(one.train[i].path, four.train[i].path);
    EXPECT_EQ(one.train[i].transpose, four.train[i].transpose);
    EXPECT_EQ(one.train[i].ids, four.train[i].ids);
  }
  EXPECT_EQ(paths_of(one.valid), paths_of(four.valid));
  EXPECT_EQ(one.vocabulary.to_json({}), four.vocabulary.to_json({}));
  EXPECT_EQ(one.stats.skipped.size(), 1u);
}

TEST_F(Corpus_, StrictModeSkipsFilesWithWarnings) {
  write("clean.mid", melody({60, 62}));
  write("no_end.mid", testing::make_smf({{64, 0, 480}}, false));
  Corpus lenient = load_corpus(root_, no_split());
  EXPECT_EQ(lenient.stats.files_read, 2u);
  EXPECT_GE(lenient.stats.warnings, 1u);
  CorpusOptions o = no_split();
  o.strict = true;
  Corpus strict = load_corpus(root_, o);
  EXPECT_EQ(strict.stats.files_read, 1u);
  ASSERT_EQ(strict.stats.skipped.size(), 1u);
  EXPECT_EQ(strict.stats.skipped[0].file, "no_end.mid");
}

}  // namespace
}  // namespace musegen::data
