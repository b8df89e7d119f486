// The "bars" objective's examples: windows of whole bars opening with the header, fill
// examples in their documented layout, bounded lengths, and batches that stop at an example's
// end.
#include "data/bar_examples.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/errors.h"
#include "data/batches.h"

namespace musegen::data {
namespace {

struct Fixture {
  tokenize::MultitrackTokenizer tokenizer;
  tokenize::Vocabulary vocabulary = tokenize::Vocabulary::from_table(tokenizer.fixed_vocabulary());
  tokenize::MultitrackBars bars{tokenizer, vocabulary};

  // A piece of `n_bars` bars of one note each (10 ids per bar, 9 in bar 1 with ts and tempo).
  TokenizedFile piece(int n_bars) {
    tokenize::Tokens t = {"inst:0", "inst:33"};
    for (int b = 0; b < n_bars; ++b) {
      t.insert(t.end(), {"bar"});
      if (b == 0) t.insert(t.end(), {"ts:4/4", "tempo:120"});
      t.insert(t.end(), {"pos:0", "trk:0", "v:5", "p:" + std::to_string(60 + b % 12), "d:12"});
    }
    return {"x.mid", 0, vocabulary.encode(t)};
  }
};

TEST(BarExamples, WindowsHoldWholeBarsAndOpenWithTheHeader) {
  Fixture f;
  BarExampleOptions o;
  o.sequence_length = 40;  // <start> + 2 header ids + about 6 bars per window
  const auto examples = bar_examples({f.piece(20)}, f.bars, o);
  ASSERT_GE(examples.size(), 3u);
  int bars_seen = 0;
  for (const auto& ex : examples) {
    EXPECT_LE(ex.size(), 41u);
    EXPECT_EQ(f.vocabulary.decode({ex.begin() + 1, ex.begin() + 5}),
              (tokenize::Tokens{"inst:0", "inst:33", "bar", "ts:4/4"}));
    EXPECT_EQ(ex.front(), tokenize::kStartId);
    bars_seen += static_cast<int>(std::count(ex.begin(), ex.end(), f.bars.bar_id()));
  }
  EXPECT_EQ(bars_seen, 20);  // every bar once
  EXPECT_EQ(examples.back().back(), tokenize::kEndId);
}

TEST(BarExamples, FillExamplesPutTheFutureFirstAndTheGapLast) {
  Fixture f;
  BarExampleOptions o;
  o.sequence_length = 200;
  o.fill_fraction = 1.0;
  const auto examples = bar_examples({f.piece(30)}, f.bars, o);
  int fills = 0;
  for (const auto& ex : examples) {
    const auto gap = std::find(ex.begin(), ex.end(), f.bars.fill_gap());
    if (gap == ex.end()) continue;
    ++fills;
    const auto future = std::find(ex.begin(), ex.end(), f.bars.fill_future());
    const auto past = std::find(ex.begin(), ex.end(), f.bars.fill_past());
    EXPECT_TRUE(future < past && past < gap);
    EXPECT_EQ(ex.back(), f.bars.fill_end());
    const auto gap_bars = std::count(gap, ex.end(), f.bars.bar_id());
    EXPECT_GE(gap_bars, 1);
    EXPECT_LE(gap_bars, 4);
    EXPECT_LE(ex.size(), 201u);
  }
  EXPECT_GT(fills, 0);
  EXPECT_EQ(bar_examples({f.piece(30)}, f.bars, o), examples);  // a function of the seed
}

TEST(BarExamples, BatchesTargetNothingPastAnExample) {
  Fixture f;
  BatchOptions o;
  o.objective = "bars";
  o.sequence_length = 40;
  o.batch_size = 4;
  o.vocabulary = &f.vocabulary;
  o.tokenizer = f.tokenizer.config();
  const BatchSource source({f.piece(3)}, o);  // <start>, 2 + 8 + 6 + 6 ids, <end>: 24 ids
  ASSERT_EQ(source.n_examples(), 1);
  const auto batch = source.epoch_batches(1, 0, false).at(0);
  EXPECT_EQ(batch.n_targets(), 23);
  EXPECT_EQ(batch.targets[22], tokenize::kEndId);
  EXPECT_EQ(batch.targets[23], kIgnoreTarget);
}

TEST(BarExamples, NeedTheMultitrackTokenizer) {
  Fixture f;
  BatchOptions o;
  o.objective = "bars";
  o.vocabulary = &f.vocabulary;
  o.tokenizer = {{"name", "notes"}};
  EXPECT_THROW(BatchSource({f.piece(3)}, o), ConfigError);
}

}  // namespace
}  // namespace musegen::data
