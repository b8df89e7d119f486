// The token-corpus cache: reused when nothing changed, rebuilt (with a note) when an input
// file, the tokenizer config or an option changed, and when the file is damaged or foreign.
#include "data/corpus_cache.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/errors.h"
#include "core/file_io.h"
#include "data/corpus_fixture.h"
#include "data/shuffle.h"

namespace musegen::data {
namespace {

using testing::CorpusFolder;
using testing::melody;

class CorpusCache : public CorpusFolder {
 protected:
  void SetUp() override {
    CorpusFolder::SetUp();
    write("corpus/a.mid", melody({60, 62, 64, 65}));
    write("corpus/sub/b.mid", melody({67, 69}));
    write("corpus/c.mid", melody({55, 57, 59, 60, 62}));
    write_text("corpus/junk.mid", "junk");
    cache_ = root_ / "cache.bin";
    options_.valid_fraction = 0.34;
    options_.transpose_min = -1;
    options_.transpose_max = 1;
    options_.cache_path = cache_;
  }
  Corpus load() { return load_corpus(root_ / "corpus", options_); }
  void expect_same(const Corpus& a, const Corpus& b) {
    ASSERT_EQ(a.train.size(), b.train.size());
    ASSERT_EQ(a.valid.size(), b.valid.size());
    for (std::size_t i = 0; i < a.train.size(); ++i) {
      EXPECT_EQ(a.train[i].path, b.train[i].path);
      EXPECT_EQ(a.train[i].transpose, b.train[i].transpose);
      EXPECT_EQ(a.train[i].ids, b.train[i].ids);
    }
    for (std::size_t i = 0; i < a.valid.size(); ++i) EXPECT_EQ(a.valid[i].ids, b.valid[i].ids);
    EXPECT_EQ(a.vocabulary.to_json(a.tokenizer_config), b.vocabulary.to_json(b.tokenizer_config));
    EXPECT_EQ(stats_to_json(a.stats)["skipped"], stats_to_json(b.stats)["skipped"]);
    EXPECT_EQ(a.stats.train_tokens, b.stats.train_tokens);
    EXPECT_EQ(a.stats.notes, b.stats.notes);
  }
  // Loads again and checks that the cache was rebuilt, with a note containing `why`.
  void expect_rebuilt(const std::string& why) {
    Corpus c = load();
    EXPECT_FALSE(c.stats.from_cache) << why;
    EXPECT_TRUE(c.stats.cache_written);
    EXPECT_NE(c.stats.cache_note.find(why), std::string::npos) << c.stats.cache_note;
    EXPECT_TRUE(load().stats.from_cache) << "the rebuilt cache is reused";
  }

  std::filesystem::path cache_;
  CorpusOptions options_;
};

TEST_F(CorpusCache, WrittenThenReusedWithTheSameContent) {
  Corpus first = load();
  EXPECT_FALSE(first.stats.from_cache);
  EXPECT_TRUE(first.stats.cache_written);
  EXPECT_TRUE(first.stats.cache_note.empty());
  ASSERT_TRUE(std::filesystem::exists(cache_));
  Corpus second = load();
  EXPECT_TRUE(second.stats.from_cache);
  EXPECT_FALSE(second.stats.cache_written);
  expect_same(first, second);
  EXPECT_EQ(second.stats.files_skipped, 1u);
  EXPECT_EQ(second.stats.augmented_copies, first.stats.augmented_copies);
  // Threads do not change the content, so they do not invalidate the cache.
  options_.threads = 1;
  EXPECT_TRUE(load().stats.from_cache);
  options_.progress = [](const std::string&, std::size_t, std::size_t) {};
  EXPECT_TRUE(load().stats.from_cache);
}

TEST_F(CorpusCache, FileStartsWithMagicAndVersion) {
  load();
  auto bytes = read_file_bytes(cache_);
  ASSERT_GT(bytes.size(), 20u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "MGCORPUS");
  EXPECT_EQ(bytes[8], kCorpusCacheVersion);
  CachedCorpus cached = read_corpus_cache(cache_);
  EXPECT_EQ(cached.key["tokenizer"], load().tokenizer_config);
  EXPECT_EQ(cached.key["inputs"]["train"].size(), 4u);  // every file found, junk too
}

TEST_F(CorpusCache, TouchingAFileRebuilds) {
  load();
  auto path = root_ / "corpus/a.mid";
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(2));
  expect_rebuilt("1 file changed");
}

TEST_F(CorpusCache, RewritingAFileRebuilds) {
  load();
  write("corpus/c.mid", melody({55, 57, 59, 60, 62, 64}));
  expect_rebuilt("1 file changed");
}

TEST_F(CorpusCache, AddingOrRemovingAFileRebuilds) {
  load();
  write("corpus/new/d.MIDI", melody({70, 71}));
  expect_rebuilt("1 file added");
  std::filesystem::remove(root_ / "corpus/sub/b.mid");
  std::filesystem::remove(root_ / "corpus/junk.mid");
  expect_rebuilt("2 files removed");
}

TEST_F(CorpusCache, ChangingTheTokenizerConfigOrAnOptionRebuilds) {
  Corpus notes = load();
  options_.tokenizer = {{"name", "tutorial"}};
  expect_rebuilt("tokenizer");
  options_.seed = 99;
  expect_rebuilt("seed");
  options_.transpose_max = 2;
  expect_rebuilt("transpose");
  options_.valid_fraction = 0.5;
  expect_rebuilt("valid_fraction");
  options_.strict = true;
  expect_rebuilt("strict");
}

TEST_F(CorpusCache, DamagedOrForeignFilesAreRebuiltNeverFatal) {
  Corpus good = load();
  const auto bytes = read_file_bytes(cache_);
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  write_file_atomic(cache_, flipped);
  expect_rebuilt("checksum");
  write_file_atomic(cache_, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 30));
  expect_rebuilt("checksum");
  write_file_atomic(cache_, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 10));
  expect_rebuilt("truncated");
  write_file_atomic(cache_, std::string("a text file, not a cache"));
  expect_rebuilt("not a musegen corpus cache");
  write_file_atomic(cache_, std::string());
  expect_rebuilt("not a musegen corpus cache");
  expect_same(good, load());
}

// A cache with a newer version (checksum fixed up) is refused with a clear reason.
TEST_F(CorpusCache, NewerVersionIsRefused) {
  load();
  auto bytes = read_file_bytes(cache_);
  bytes[8] = kCorpusCacheVersion + 1;
  const std::size_t end = bytes.size() - 8;
  const std::uint64_t sum =
      fnv1a64(std::string_view(reinterpret_cast<const char*>(bytes.data()), end));
  for (int i = 0; i < 8; ++i) bytes[end + i] = static_cast<std::uint8_t>(sum >> (8 * i));
  write_file_atomic(cache_, bytes);
  try {
    read_corpus_cache(cache_);
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.byte_offset(), 8);
    EXPECT_NE(e.detail().find("newer musegen"), std::string::npos) << e.what();
  }
  expect_rebuilt("newer musegen");
}

// Ids beyond the vocabulary in a file whose checksum is right are still caught.
TEST_F(CorpusCache, IdsOutsideTheVocabularyAreRejected) {
  Corpus c = load();
  c.train[0].ids[0] = static_cast<std::int32_t>(c.vocabulary.size());
  write_corpus_cache(cache_, c, read_corpus_cache(cache_).key);
  EXPECT_THROW(read_corpus_cache(cache_), ParseError);
  expect_rebuilt("outside the vocabulary");
}

// `bytes` with its JSON header replaced by edit(header) and the checksum made right again.
std::vector<std::uint8_t> with_header(const std::vector<std::uint8_t>& bytes,
                                      const std::function<void(nlohmann::json&)>& edit) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[12 + i];
  auto header =
      nlohmann::json::parse(bytes.begin() + 20, bytes.begin() + 20 + static_cast<long>(n));
  edit(header);
  const std::string text = header.dump();
  std::vector<std::uint8_t> out(bytes.begin(), bytes.begin() + 12);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(text.size() >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bytes.begin() + 20 + static_cast<long>(n), bytes.end() - 8);
  const std::uint64_t sum =
      fnv1a64(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(sum >> (8 * i)));
  return out;
}

// Counts that would wrap a 64-bit sum, or a header nested without end, are ParseErrors (the
// fuzzer's properties), never a huge allocation or a deep recursion.
TEST_F(CorpusCache, LyingCountsAndDeepHeadersAreParseErrors) {
  load();
  const auto bytes = read_file_bytes(cache_);
  ASSERT_NO_THROW(corpus_cache_from_bytes(with_header(bytes, [](nlohmann::json&) {}), "c"));
  const auto wrapped = with_header(bytes, [](nlohmann::json& h) {
    auto& files = h["files"];
    files[1]["n_tokens"] = 0 - files[0]["n_tokens"].get<std::uint64_t>();  // sum wraps to 0
  });
  EXPECT_THROW(corpus_cache_from_bytes(wrapped, "c"), ParseError);
  const auto deep = with_header(bytes, [](nlohmann::json& h) {
    nlohmann::json nested = 1;
    for (int i = 0; i < 40; ++i) nested = nlohmann::json::array({nested});
    h["stats"]["extra"] = nested;
  });
  try {
    corpus_cache_from_bytes(deep, "c");
    FAIL() << "a header 41 levels deep was read";
  } catch (const ParseError& e) {
    EXPECT_NE(e.detail().find("at most 32 levels deep"), std::string::npos) << e.what();
  }
}

TEST_F(CorpusCache, UnwritableCacheIsAnIoError) {
  options_.cache_path = root_ / "no_such_dir" / "cache.bin";
  EXPECT_THROW(load(), IoError);
}

}  // namespace
}  // namespace musegen::data
