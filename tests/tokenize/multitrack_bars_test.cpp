// Multitrack ids cut into header and bars, and runs of bars that stand alone.
#include "tokenize/multitrack_bars.h"

#include <gtest/gtest.h>

namespace musegen::tokenize {
namespace {

struct Fixture {
  MultitrackTokenizer tokenizer;
  Vocabulary vocabulary = Vocabulary::from_table(tokenizer.fixed_vocabulary());
  MultitrackBars bars{tokenizer, vocabulary};
  std::vector<std::int32_t> ids(const Tokens& tokens) { return vocabulary.encode(tokens); }
  Tokens text(const std::vector<std::int32_t>& ids) { return vocabulary.decode(ids); }
};

// Three bars: 3/4 at 80 bpm, then a tempo change inside bar 2, then bar 3 in force.
const Tokens kPiece = {"inst:40", "inst:42",  "bar", "ts:3/4", "tempo:80", "pos:0", "trk:0",
                       "p:60",    "d:12",     "bar", "pos:0",  "trk:1",    "p:48",  "d:12",
                       "pos:12",  "tempo:96", "bar", "pos:24", "trk:0",    "p:62",  "d:12"};

TEST(MultitrackBars, SplitsHeaderAndBarsWithWhatIsInForce) {
  Fixture f;
  const BarIds piece = f.bars.split(f.ids(kPiece));
  EXPECT_EQ(f.text(piece.header), (Tokens{"inst:40", "inst:42"}));
  ASSERT_EQ(piece.bars.size(), 3u);
  EXPECT_EQ(piece.bars[1].front(), f.bars.bar_id());
  EXPECT_EQ(f.vocabulary.token(piece.signature[2]), "ts:3/4");
  EXPECT_EQ(f.vocabulary.token(piece.tempo[1]), "tempo:80");  // the change comes after pos:12
  EXPECT_EQ(f.vocabulary.token(piece.tempo[2]), "tempo:96");
}

TEST(MultitrackBars, ARunOfBarsOpensOnTheSignatureAndTempoInForce) {
  Fixture f;
  const BarIds piece = f.bars.split(f.ids(kPiece));
  std::vector<std::int32_t> run;
  f.bars.append_bars(piece, 2, 3, run);
  EXPECT_EQ(f.text(run), (Tokens{"bar", "ts:3/4", "tempo:96", "pos:24", "trk:0", "p:62", "d:12"}));
  // The run decodes to the bar as it sounds in the piece: 3/4 at 96 bpm.
  Tokens alone = f.text(piece.header);
  for (const auto& t : f.text(run)) alone.push_back(t);
  const Piece decoded = f.tokenizer.piece_of(alone);
  EXPECT_EQ(decoded.bars, (std::vector<PieceBar>{{3, 4}}));
  EXPECT_EQ(decoded.tempos.front().bpm, 96);
  EXPECT_EQ(f.bars.bars_size(piece, 0, 3), f.ids(kPiece).size() - 2);
}

TEST(MultitrackBars, BarsOutsideThePieceAreNone) {
  Fixture f;
  const BarIds piece = f.bars.split(f.ids(kPiece));
  std::vector<std::int32_t> past_the_end, all;
  f.bars.append_bars(piece, 2, 12, past_the_end);  // a piece of 3 bars asked for bars 3-12
  f.bars.append_bars(piece, 2, 3, all);
  EXPECT_EQ(past_the_end, all);
  std::vector<std::int32_t> none;
  f.bars.append_bars(piece, 5, 9, none);
  EXPECT_TRUE(none.empty());
}

TEST(MultitrackBars, FillMarkersAreInTheFixedVocabulary) {
  Fixture f;
  EXPECT_TRUE(f.bars.can_fill());
  EXPECT_EQ(f.vocabulary.token(f.bars.fill_gap()), "fill:gap");
  Vocabulary without = Vocabulary::from_table({"bar", "inst:0", "pos:0"});
  EXPECT_FALSE(MultitrackBars(f.tokenizer, without).can_fill());
}

}  // namespace
}  // namespace musegen::tokenize
