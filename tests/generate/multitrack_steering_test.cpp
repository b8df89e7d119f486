// Multitrack steering: the requested instruments become the header, every instrument plays,
// every generated token fits the grammar (so decoding skips nothing), instrument words resolve
// to the program the model likes, beam search and bad requests.
#include "generate/multitrack_steering.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "generate/generate_fixture.h"
#include "generate/generator.h"
#include "generate/instruments.h"

namespace musegen::generate {
namespace {

struct Generated {
  GenerateResult result;
  std::vector<tokenize::Tokens> tokens;  // per candidate, the whole sequence
  std::vector<tokenize::Piece> pieces;
};

Generated generate_with(const std::string& instruments, int count, int beam = 0, int length = 300) {
  Generator g(testing::multitrack_checkpoint(), "mt", {"auto", "fp32", 1});
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  MultitrackRequest request;
  if (!instruments.empty()) request.instruments = parse_instruments(instruments, 16);
  const auto steering = std::make_unique<MultitrackSteering>(mt, g.vocabulary(), request);
  GenerateOptions o;
  o.n_candidates = count;
  o.beam_width = beam;
  o.length_tokens = length;
  o.seed = 11;
  o.allow_end = false;  // an untrained model would end some rows after a few tokens
  o.steering = steering.get();
  Generated run;
  run.result = g.generate({}, o);
  for (const auto& c : run.result.candidates) {
    run.tokens.push_back(g.vocabulary().decode(c.ids));
    run.pieces.push_back(mt.piece_of(run.tokens.back()));
  }
  return run;
}

TEST(MultitrackSteering, RequestedInstrumentsAreTheHeaderAndAllPlay) {
  const Generated run = generate_with("drums,bass,piano", 4, 0, 2000);
  for (const auto& piece : run.pieces) {
    ASSERT_EQ(piece.tracks.size(), 3u);
    EXPECT_LE(piece.tracks[0].instrument, 5);  // a piano: programs 0..5, lowest first
    EXPECT_GE(piece.tracks[1].instrument, 32);  // a bass
    EXPECT_LE(piece.tracks[1].instrument, 87);
    EXPECT_EQ(piece.tracks[2].instrument, tokenize::kDrumInstrument);
    std::vector<int> notes(3, 0);
    for (const auto& n : piece.notes) ++notes[static_cast<std::size_t>(n.track)];
    for (int t = 0; t < 3; ++t) EXPECT_GT(notes[t], 0) << "track " << t << " never played";
  }
}

// An untrained model draws nearly at random; with the steering every token still means
// something: re-encoding the decoded piece gives the same notes.
TEST(MultitrackSteering, EveryTokenFitsTheGrammar) {
  const Generated run = generate_with("", 3);
  tokenize::MultitrackTokenizer mt;
  for (std::size_t k = 0; k < run.pieces.size(); ++k) {
    const auto& piece = run.pieces[k];
    EXPECT_GE(piece.tracks.size(), 1u);
    std::size_t pitches = 0;
    for (const auto& t : run.tokens[k]) pitches += t.rfind("p:", 0) == 0;
    // Only a last pitch cut off by the length before its duration may go.
    EXPECT_GE(piece.notes.size() + 1, pitches) << "a note token was out of place";
    EXPECT_LE(piece.notes.size(), pitches);
    for (const auto& n : piece.notes) {
      EXPECT_LT(n.position, piece.bar_steps(n.bar));
      if (piece.tracks[static_cast<std::size_t>(n.track)].is_drum()) {
        EXPECT_GE(n.pitch, 27);
        EXPECT_LE(n.pitch, 87);
      }
    }
  }
}

TEST(MultitrackSteering, BeamSearchKeepsTheRequestToo) {
  const Generated run = generate_with("violin,cello", 2, /*beam=*/3, /*length=*/120);
  ASSERT_EQ(run.pieces.size(), 2u);
  for (const auto& piece : run.pieces)
    EXPECT_EQ(piece.tracks, (std::vector<tokenize::PieceTrack>{{40}, {42}}));
}

TEST(MultitrackSteering, InstrumentWordsAndOrder) {
  EXPECT_EQ(parse_instruments("violin, violin ,viola,cello", 16),
            (std::vector<std::vector<int>>{{40}, {40}, {41}, {42}}));
  const auto trio = parse_instruments("drums,bass,piano", 16);
  ASSERT_EQ(trio.size(), 3u);
  EXPECT_EQ(trio[0], (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(trio[2], (std::vector<int>{128}));
  EXPECT_EQ(parse_instruments("33", 16), (std::vector<std::vector<int>>{{33}}));
  EXPECT_THROW(parse_instruments("violin,kazoo-9000", 16), ConfigError);
  EXPECT_THROW(parse_instruments("", 16), ConfigError);
  EXPECT_THROW(parse_instruments("a,b,c", 2), ConfigError);
}

TEST(MultitrackSteering, RefusesMoreInstrumentsThanTheModelHasParts) {
  Generator g(testing::multitrack_checkpoint(), "mt", {"auto", "fp32", 1});
  const auto& mt = dynamic_cast<const tokenize::MultitrackTokenizer&>(g.tokenizer());
  MultitrackRequest request;
  request.instruments.assign(17, {0});
  EXPECT_THROW(MultitrackSteering(mt, g.vocabulary(), request), ConfigError);
}

}  // namespace
}  // namespace musegen::generate
