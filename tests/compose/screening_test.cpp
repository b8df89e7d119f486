// Screening: the top-K selection on hand-made scores (ties, NaN, bounds), the mean
// log-likelihood per token, ranking by likelihood and by closeness to a reference corpus
// (a piece equal to the reference overlaps it completely), and reading a reference folder.
#include "compose/screening.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include "core/errors.h"
#include "generate/generate_fixture.h"
#include "midi/writer.h"

namespace musegen::compose {
namespace {

using generate::Candidate;
using generate::StopReason;
using generate::testing::TempDir;

// A one-track melody: the pitches as consecutive notes of `ticks` each.
Score melody(const std::vector<int>& pitches, int ticks = 240) {
  Score s;
  s.tracks.push_back({"melody"});
  for (std::size_t i = 0; i < pitches.size(); ++i) {
    Note n;
    n.pitch = pitches[i];
    n.velocity = 80;
    n.start_ticks = static_cast<std::int64_t>(i) * ticks;
    n.end_ticks = n.start_ticks + ticks;
    s.notes.push_back(n);
  }
  s.tempos.push_back({});
  s.update_times();
  return s;
}

Candidate candidate(std::size_t n_primer, std::size_t n_generated, double log_prob,
                    StopReason stop) {
  Candidate c;
  c.ids.assign(n_primer + n_generated, 5);
  c.n_primer = n_primer;
  c.log_prob = log_prob;
  c.stop = stop;
  return c;
}

TEST(Screening, TopIndicesOnHandMadeScores) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> scores = {0.1, 0.5, -1.0, 0.5, nan, 0.3};
  EXPECT_EQ(top_indices(scores, 1), (std::vector<int>{1}));  // tie: the lower index first
  EXPECT_EQ(top_indices(scores, 3), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(top_indices(scores, 6), (std::vector<int>{1, 3, 5, 0, 2, 4}));  // NaN last
  for (int keep : {0, 7, -1}) {
    try {
      top_indices(scores, keep);
      ADD_FAILURE() << keep;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "keep");
    }
  }
}

TEST(Screening, TopIndicesAreTheKLargestWhateverTheOrder) {
  std::vector<double> scores;
  for (int i = 0; i < 40; ++i) scores.push_back(std::sin(i * 1.7) * 10);  // no ties
  for (int keep = 1; keep <= 40; keep += 7) {
    const auto kept = top_indices(scores, keep);
    ASSERT_EQ(kept.size(), static_cast<std::size_t>(keep));
    for (int r = 1; r < keep; ++r) EXPECT_GT(scores[kept[r - 1]], scores[kept[r]]);
    for (std::size_t i = 0; i < scores.size(); ++i) {  // nothing left out beats the last kept
      if (std::find(kept.begin(), kept.end(), static_cast<int>(i)) == kept.end()) {
        EXPECT_LT(scores[i], scores[kept.back()]);
      }
    }
  }
}

TEST(Screening, MeanLogProbCountsAFinalEnd) {
  EXPECT_DOUBLE_EQ(mean_log_prob(candidate(2, 3, -6.0, StopReason::end_token)), -1.5);
  EXPECT_DOUBLE_EQ(mean_log_prob(candidate(2, 3, -6.0, StopReason::length)), -2.0);
  EXPECT_EQ(n_scored_tokens(candidate(1, 0, -0.5, StopReason::end_token)), 1u);
  EXPECT_THROW(mean_log_prob(candidate(1, 0, 0.0, StopReason::length)), ConfigError);
}

TEST(Screening, RankNames) {
  for (RankBy r : {RankBy::none, RankBy::likelihood, RankBy::reference})
    EXPECT_EQ(rank_by_from_text(to_string(r)), r);
  EXPECT_THROW(rank_by_from_text("best"), ConfigError);
}

TEST(Screening, ByLikelihoodKeepsTheBestMeanNotTheBestSum) {
  // Sums -10, -3, -8, -4 over 10, 2, 16, 4 scored tokens: means -1, -1.5, -0.5, -1.
  const std::vector<Candidate> candidates = {
      candidate(1, 10, -10.0, StopReason::length), candidate(1, 1, -3.0, StopReason::end_token),
      candidate(1, 16, -8.0, StopReason::length), candidate(1, 4, -4.0, StopReason::length)};
  const std::vector<Score> music(4, melody({60}));
  const Screening s = screen(candidates, music, RankBy::likelihood, 3);
  EXPECT_EQ(s.scores, (std::vector<double>{-1.0, -1.5, -0.5, -1.0}));
  EXPECT_EQ(s.kept, (std::vector<int>{2, 0, 3}));
  EXPECT_TRUE(s.reference.empty());
  const Screening all = screen(candidates, music, RankBy::none, 2);
  EXPECT_EQ(all.kept, (std::vector<int>{0, 1}));
  EXPECT_TRUE(all.scores.empty());
  EXPECT_THROW(screen(candidates, music, RankBy::likelihood, 5), ConfigError);
  EXPECT_THROW(screen(candidates, {}, RankBy::likelihood, 1), ConfigError);
}

TEST(Screening, ByReferenceKeepsThePieceLikeTheReference) {
  const Score scale = melody({60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60});
  const Score chromatic = melody({61, 75, 50, 88, 63, 41, 97, 54, 70, 46, 83, 58}, 37);
  const Score near = melody({60, 62, 64, 65, 67, 69, 71, 72, 74, 72, 71, 69, 67, 65, 64, 62});
  const std::vector<eval::PieceMetrics> reference = {eval::piece_metrics(scale, "scale")};
  const std::vector<Candidate> candidates(3, candidate(1, 5, -1.0, StopReason::length));
  const Screening s =
      screen(candidates, {chromatic, near, scale}, RankBy::reference, 2, &reference);
  ASSERT_EQ(s.reference.size(), 3u);
  EXPECT_EQ(s.kept, (std::vector<int>{2, 1}));
  // The reference itself overlaps it completely in every feature.
  EXPECT_NEAR(s.scores[2], 1.0, 1e-12);
  for (const auto& [feature, oa] : s.reference[2].overlaps) EXPECT_NEAR(oa, 1.0, 1e-12) << feature;
  EXPECT_LT(s.scores[0], s.scores[1]);
  // The score is compare_sets' mean overlapping area for the piece alone.
  const auto c = eval::compare_sets({eval::piece_metrics(chromatic, "c")}, reference);
  EXPECT_DOUBLE_EQ(s.scores[0], c.mean_overlap_area);
  EXPECT_EQ(s.reference[0].overlaps.size(), c.features.size());
  const auto j = to_json(s.reference[0]);
  EXPECT_EQ(j["overlaps"][0]["feature"], c.features[0].feature);
  EXPECT_THROW(screen(candidates, {chromatic, near, scale}, RankBy::reference, 1), ConfigError);
}

TEST(Screening, ReferenceFolderSkipsUnreadableFiles) {
  TempDir dir;
  midi::write_file(melody({60, 64, 67}), dir.path() / "a.mid");
  std::filesystem::create_directories(dir.path() / "sub");
  midi::write_file(melody({62, 65}), dir.path() / "sub" / "b.MID");
  std::ofstream(dir.path() / "broken.mid") << "not a MIDI file";
  const ReferenceCorpus corpus = load_reference(dir.path(), 2);
  ASSERT_EQ(corpus.pieces.size(), 2u);
  EXPECT_EQ(corpus.pieces[0].pitch.n_pitched_notes, 3);
  EXPECT_EQ(corpus.pieces[1].pitch.n_pitched_notes, 2);
  ASSERT_EQ(corpus.skipped.size(), 1u);
  EXPECT_NE(corpus.skipped[0].first.find("broken.mid"), std::string::npos);
  EXPECT_EQ(load_reference(dir.path() / "a.mid").pieces.size(), 1u);  // a single file
  EXPECT_THROW(load_reference(dir.path() / "missing"), IoError);
  TempDir empty;
  try {
    load_reference(empty.path());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "reference");
  }
}

}  // namespace
}  // namespace musegen::compose

namespace musegen::compose {
namespace {

using generate::Candidate;
using generate::StopReason;

// A candidate with a log-probability at every position: `per_token` for each generated token,
// then `end` for its <end> when it stopped there.
Candidate scored(std::vector<double> per_token, bool ended, double end = -0.01) {
  Candidate c;
  c.ids.assign(1 + per_token.size(), 5);
  c.n_primer = 1;
  c.stop = ended ? StopReason::end_token : StopReason::length;
  if (ended) per_token.push_back(end);
  c.cumulative_log_prob = {0.0};
  for (double lp : per_token) c.cumulative_log_prob.push_back(c.cumulative_log_prob.back() + lp);
  c.log_prob = c.cumulative_log_prob.back();
  return c;
}

// The first three tokens of a piece are easy, later ones harder: a piece that ends after its
// easy opening has the best mean over its own length, but is judged like the others on the
// same positions, and ranks last when under half the longest.
TEST(Screening, LikelihoodComparesTheSamePositions) {
  const std::vector<double> opening = {-0.1, -0.1, -0.1};
  std::vector<double> long_a = opening, long_b = opening;
  for (int i = 0; i < 7; ++i) long_a.push_back(-1.0), long_b.push_back(-1.2);
  std::vector<double> medium = opening;
  for (int i = 0; i < 3; ++i) medium.push_back(-0.5);
  const std::vector<Candidate> candidates = {scored(long_a, false), scored(opening, true),
                                             scored(long_b, false), scored(medium, true)};
  EXPECT_GT(mean_log_prob(candidates[1]), mean_log_prob(candidates[0]));  // the old measure
  std::size_t compared = 0;
  const std::vector<double> scores = likelihood_scores(candidates, compared);
  EXPECT_EQ(compared, 6u);  // candidate 4's length; candidate 2 (3 of 10) is under half
  EXPECT_DOUBLE_EQ(scores[0], (-0.3 - 3.0) / 6);
  EXPECT_TRUE(std::isnan(scores[1]));
  EXPECT_DOUBLE_EQ(scores[2], (-0.3 - 3.6) / 6);
  EXPECT_DOUBLE_EQ(scores[3], (-0.3 - 1.5) / 6);
  const Screening s =
      screen(candidates, std::vector<Score>(4, melody({60})), RankBy::likelihood, 4);
  EXPECT_EQ(s.kept, (std::vector<int>{3, 0, 2, 1}));
  EXPECT_EQ(s.compared_tokens, 6u);
}

// Beam search candidates carry no per-position sums: the mean over their own length.
TEST(Screening, LikelihoodWithoutPositionsFallsBackToTheMean) {
  const std::vector<Candidate> candidates = {candidate(1, 4, -4.0, StopReason::length),
                                             candidate(1, 2, -1.0, StopReason::length)};
  std::size_t compared = 9;
  EXPECT_EQ(likelihood_scores(candidates, compared), (std::vector<double>{-1.0, -0.5}));
  EXPECT_EQ(compared, 0u);
}

}  // namespace
}  // namespace musegen::compose
