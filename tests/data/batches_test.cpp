// BatchSource: the tutorial's windows, chunks with a target at every position, seeded epoch
// shuffles and disjoint equal-sized shards, on token files built in code.
#include "data/batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/errors.h"
#include "tokenize/vocabulary.h"

namespace musegen::data {
namespace {

using Ids = std::vector<std::int64_t>;

TokenizedFile file(std::vector<std::int32_t> ids) {
  return {"f.mid", 0, std::move(ids)};
}

// n files of `len` ids each, ids distinct and increasing from 10 so that a window's first id
// tells where it starts.
std::vector<TokenizedFile> distinct_files(int n, int len) {
  std::vector<TokenizedFile> files;
  std::int32_t next = 10;
  for (int f = 0; f < n; ++f) {
    std::vector<std::int32_t> ids(static_cast<std::size_t>(len));
    for (auto& id : ids) id = next++;
    files.push_back(file(ids));
  }
  return files;
}

BatchOptions windows(int length, int batch_size, int stride = 1) {
  BatchOptions o;
  o.objective = "windows";
  o.sequence_length = length;
  o.batch_size = batch_size;
  o.window_stride = stride;
  return o;
}

BatchOptions chunks(int length, int batch_size) {
  BatchOptions o;
  o.objective = "chunks";
  o.sequence_length = length;
  o.batch_size = batch_size;
  return o;
}

TEST(BatchesWindows, TutorialWindowsOverConcatenatedFiles) {
  // notes = 1 2 3 | 4 5 (no separators); range(0, 5 - 2): three windows.
  BatchSource source({file({1, 2, 3}), file({4, 5})}, windows(2, 8));
  ASSERT_EQ(source.n_examples(), 3);
  auto batches = source.epoch_batches(7, 0, false);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].batch_size, 3);
  EXPECT_EQ(batches[0].time, 2);
  EXPECT_EQ(batches[0].inputs, (Ids{1, 2, 2, 3, 3, 4}));
  EXPECT_EQ(batches[0].targets, (Ids{3, 4, 5}));
  EXPECT_EQ(batches[0].n_targets(), 3);
}

TEST(BatchesWindows, StrideSkipsStarts) {
  BatchSource source({file({1, 2, 3, 4, 5, 6})}, windows(2, 8, 3));
  // range(0, 4, 3) = 0, 3.
  auto b = source.epoch_batches(1, 0, false).at(0);
  EXPECT_EQ(b.inputs, (Ids{1, 2, 4, 5}));
  EXPECT_EQ(b.targets, (Ids{3, 6}));
}

// The same windows as a direct transcription of the tutorial's prepare_sequences loop.
TEST(BatchesWindows, MatchesTutorialLoopOnLongerStream) {
  std::vector<TokenizedFile> files = {file({5, 9, 4, 4, 7, 1, 8}), file({3, 3, 6, 2, 9}),
                                      file({4, 8, 8, 5})};
  std::vector<std::int64_t> notes;
  for (const auto& f : files) notes.insert(notes.end(), f.ids.begin(), f.ids.end());
  const int length = 5;
  Ids want_in, want_out;
  for (std::size_t i = 0; i + length < notes.size(); ++i) {
    want_in.insert(want_in.end(), notes.begin() + i, notes.begin() + i + length);
    want_out.push_back(notes[i + length]);
  }
  BatchSource source(files, windows(length, 4));
  Ids got_in, got_out;
  for (const auto& b : source.epoch_batches(3, 0, false)) {
    got_in.insert(got_in.end(), b.inputs.begin(), b.inputs.end());
    got_out.insert(got_out.end(), b.targets.begin(), b.targets.end());
  }
  EXPECT_EQ(got_in, want_in);
  EXPECT_EQ(got_out, want_out);
  EXPECT_EQ(source.batches_per_epoch(), 3);  // 11 windows in batches of 4
}

TEST(BatchesChunks, FilesDelimitedAndPiecesOverlapByOne) {
  // Stream: <start> 5 6 <end> <start> 7 <end> = 1 5 6 2 1 7 2.
  BatchSource source({file({5, 6}), file({7})}, chunks(3, 8));
  auto b = source.epoch_batches(0, 0, false).at(0);
  ASSERT_EQ(b.batch_size, 2);
  EXPECT_EQ(b.inputs, (Ids{1, 5, 6, 2, 1, 7}));
  EXPECT_EQ(b.targets, (Ids{5, 6, 2, 1, 7, 2}));
}

TEST(BatchesChunks, FinalPieceIsPaddedWithIgnoredTargets) {
  BatchSource source({file({5, 6}), file({7})}, chunks(4, 8));
  auto b = source.epoch_batches(0, 0, false).at(0);
  EXPECT_EQ(b.inputs, (Ids{1, 5, 6, 2, 1, 7, 2, tokenize::kPadId}));
  EXPECT_EQ(b.targets, (Ids{5, 6, 2, 1, 7, 2, kIgnoreTarget, kIgnoreTarget}));
  EXPECT_EQ(b.n_targets(), 6);
}

TEST(BatchesChunks, EveryTokenButTheFirstIsATargetExactlyOnce) {
  for (int length : {1, 2, 7, 16, 50}) {
    auto files = distinct_files(5, 13);  // 5 * (13 + 2) = 75 tokens
    BatchSource source(files, chunks(length, 3));
    std::vector<std::int64_t> targets;
    for (const auto& b : source.epoch_batches(11, 2, true))
      for (auto t : b.targets)
        if (t != kIgnoreTarget) targets.push_back(t);
    // Ids 10.. are distinct; each must be a target once, and <end> (2) five times, <start>
    // (1) four times (the first <start> is input only).
    EXPECT_EQ(targets.size(), 74u) << "length " << length;
    EXPECT_EQ(std::count(targets.begin(), targets.end(), 2), 5);
    EXPECT_EQ(std::count(targets.begin(), targets.end(), 1), 4);
    std::set<std::int64_t> distinct(targets.begin(), targets.end());
    EXPECT_EQ(distinct.size(), 65u + 2u);
  }
}

TEST(BatchesShuffle, SameSeedAndEpochSameBatches) {
  BatchSource source(distinct_files(3, 40), windows(10, 7));
  auto a = source.epoch_batches(42, 3, true);
  auto b = source.epoch_batches(42, 3, true);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].inputs, b[i].inputs);
    EXPECT_EQ(a[i].targets, b[i].targets);
  }
  EXPECT_NE(source.epoch_examples(42, 3, true), source.epoch_examples(42, 4, true));
  EXPECT_NE(source.epoch_examples(42, 3, true), source.epoch_examples(43, 3, true));
}

TEST(BatchesShuffle, EpochIsAPermutationAndUnshuffledIsCorpusOrder) {
  BatchSource source(distinct_files(2, 30), windows(5, 4));
  const std::int64_t n = source.n_total_examples();
  ASSERT_EQ(n, 55);
  std::vector<std::int64_t> identity(static_cast<std::size_t>(n));
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(source.epoch_examples(9, 0, false), identity);
  auto order = source.epoch_examples(9, 0, true);
  EXPECT_NE(order, identity);
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, identity);
  // The batches follow that order: a window's first id (10 + start) names it.
  auto shuffled = source.epoch_examples(9, 0, true);
  auto batches = source.epoch_batches(9, 0, true);
  EXPECT_EQ(batches[0].inputs[0], 10 + shuffled[0]);
  EXPECT_EQ(batches[1].inputs[5], 10 + shuffled[5]);
}

// The examples a rank sees in an epoch, read back from the batches' first ids.
std::vector<std::int64_t> seen(const BatchSource& s, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> starts;
  for (const auto& b : s.epoch_batches(seed, epoch, true))
    for (std::int64_t row = 0; row < b.batch_size; ++row)
      starts.push_back(b.inputs[row * b.time] - 10);
  return starts;
}

TEST(BatchesShards, DisjointAndCompleteWhenDivisible) {
  auto files = distinct_files(1, 68);  // 68 - 8 = 60 windows, divisible by 3
  std::multiset<std::int64_t> all;
  for (int rank = 0; rank < 3; ++rank) {
    BatchOptions o = windows(8, 6);
    o.rank = rank;
    o.world_size = 3;
    BatchSource source(files, o);
    EXPECT_EQ(source.n_examples(), 20);
    EXPECT_EQ(source.batches_per_epoch(), 4);
    auto mine = seen(source, 5, 1);
    EXPECT_EQ(mine.size(), 20u);
    all.insert(mine.begin(), mine.end());
  }
  ASSERT_EQ(all.size(), 60u);
  for (std::int64_t start = 0; start < 60; ++start) EXPECT_EQ(all.count(start), 1u) << start;
}

TEST(BatchesShards, RemainderDroppedSoRanksStepInLockstep) {
  auto files = distinct_files(1, 71);  // 63 windows over 4 ranks: 15 each, 3 dropped
  for (std::int64_t epoch : {0, 1}) {
    std::set<std::int64_t> all;
    std::size_t total = 0;
    for (int rank = 0; rank < 4; ++rank) {
      BatchOptions o = windows(8, 4);
      o.rank = rank;
      o.world_size = 4;
      BatchSource source(files, o);
      auto batches = source.epoch_batches(5, epoch, true);
      EXPECT_EQ(static_cast<std::int64_t>(batches.size()), source.batches_per_epoch());
      EXPECT_EQ(batches.size(), 4u);  // 15 examples: 4 + 4 + 4 + 3
      EXPECT_EQ(batches.back().batch_size, 3);
      auto mine = seen(source, 5, epoch);
      total += mine.size();
      all.insert(mine.begin(), mine.end());
    }
    EXPECT_EQ(total, 60u);
    EXPECT_EQ(all.size(), 60u);  // no example on two ranks
  }
}

TEST(BatchesOptions, DropLastDropsTheShortBatch) {
  BatchOptions o = windows(3, 4);
  o.drop_last = true;
  BatchSource source(distinct_files(1, 13), o);  // 10 windows
  EXPECT_EQ(source.batches_per_epoch(), 2);
  auto batches = source.epoch_batches(1, 0, true);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].batch_size, 4);
}

TEST(BatchesOptions, InvalidOptionsNameTheKey) {
  auto files = distinct_files(1, 20);
  auto key_of = [&](BatchOptions o) {
    try {
      BatchSource source(files, o);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("no error");
  };
  BatchOptions o = windows(5, 2);
  o.objective = "words";
  EXPECT_EQ(key_of(o), "objective");
  EXPECT_EQ(key_of(windows(0, 2)), "sequence_length");
  EXPECT_EQ(key_of(windows(5, 0)), "batch_size");
  EXPECT_EQ(key_of(windows(5, 2, 0)), "window_stride");
  o = windows(5, 2);
  o.rank = 2;
  o.world_size = 2;
  EXPECT_EQ(key_of(o), "rank");
  o.world_size = 0;
  o.rank = 0;
  EXPECT_EQ(key_of(o), "world_size");
  EXPECT_EQ(key_of(windows(20, 2)), "sequence_length");  // 20 tokens: no window of 20 + 1
  EXPECT_EQ(key_of(windows(19, 2)), "no error");
  o = windows(5, 16);
  o.drop_last = true;
  EXPECT_EQ(key_of(o), "batch_size");  // 15 windows, no full batch of 16
}

TEST(BatchesOptions, TooFewTokensMessageSaysHowMany) {
  try {
    BatchSource source({file({1, 2, 3})}, windows(100, 8));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("3 tokens"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("101"), std::string::npos) << e.what();
  }
  EXPECT_THROW(BatchSource({}, chunks(4, 2)), ConfigError);
}

}  // namespace
}  // namespace musegen::data
