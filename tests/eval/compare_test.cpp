// Overlapping area and KL divergence of kernel density estimates against closed forms, and
// set comparisons whose answers are known (identical sets, disjoint sets).
#include "eval/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/errors.h"

namespace musegen::eval {
namespace {

// A monophonic line of notes `beats` long each, starting at beat 0.
Score line(const std::vector<int>& pitches, double beats) {
  Score s;
  s.ticks_per_quarter = 480;
  s.tracks.resize(1);
  for (std::size_t i = 0; i < pitches.size(); ++i) {
    Note n;
    n.pitch = pitches[i];
    n.start_ticks = std::llround(i * beats * 480);
    n.end_ticks = std::llround((i + 1) * beats * 480);
    s.notes.push_back(n);
  }
  s.update_times();
  return s;
}

TEST(ScottBandwidth, MatchesTheRuleOfThumb) {
  std::vector<double> x = {1, 2, 3, 4, 5};
  // sigma (ddof 1) = sqrt(2.5); n^(-1/5) = 5^(-0.2).
  EXPECT_NEAR(scott_bandwidth(x), std::sqrt(2.5) * std::pow(5.0, -0.2), 1e-12);
  EXPECT_EQ(scott_bandwidth(std::vector<double>{3}), 0);
}

TEST(KdeDistance, TwoGaussiansMatchTheClosedForms) {
  // One sample each with a fixed bandwidth h: the densities are N(0, h^2) and N(d, h^2), so
  // OA = erfc(d / (2 sqrt(2) h)) and KL = d^2 / (2 h^2).
  struct Case {
    double d, h;
  };
  for (Case c : {Case{1, 1}, Case{2, 0.5}, Case{0.5, 2}, Case{3, 1}}) {
    std::vector<double> p = {0}, q = {c.d};
    DistributionDistance dist = kde_distance(p, q, {.grid_points = 2048, .bandwidth = c.h});
    EXPECT_NEAR(dist.overlap_area, std::erfc(c.d / (2 * std::sqrt(2.0) * c.h)), 2e-3)
        << c.d << " " << c.h;
    EXPECT_NEAR(dist.kl_nats, c.d * c.d / (2 * c.h * c.h), 1e-2 * (1 + c.d * c.d / c.h / c.h))
        << c.d << " " << c.h;
  }
}

TEST(KdeDistance, IdenticalSetsOverlapFully) {
  std::vector<double> p = {1.0, 2.5, 2.7, 4.0, 9.0, 3.3};
  DistributionDistance d = kde_distance(p, p);
  EXPECT_NEAR(d.overlap_area, 1.0, 1e-9);
  EXPECT_NEAR(d.kl_nats, 0.0, 1e-9);
  std::vector<double> constant = {2.0, 2.0};
  d = kde_distance(constant, constant);
  EXPECT_EQ(d.overlap_area, 1.0);
  EXPECT_EQ(d.kl_nats, 0.0);
}

TEST(KdeDistance, DisjointSetsBarelyOverlap) {
  std::vector<double> p = {0.0, 0.1, 0.2, 0.3}, q = {10.0, 10.1, 10.2, 10.3};
  DistributionDistance d = kde_distance(p, q);
  EXPECT_LT(d.overlap_area, 1e-6);
  EXPECT_GT(d.kl_nats, 10.0);
}

TEST(KdeDistance, CloserSetsOverlapMore) {
  std::vector<double> p = {0, 1, 2, 3, 4};
  std::vector<double> near = {0.5, 1.5, 2.5, 3.5, 4.5}, far = {3, 4, 5, 6, 7};
  EXPECT_GT(kde_distance(p, near).overlap_area, kde_distance(p, far).overlap_area);
  EXPECT_LT(kde_distance(p, near).kl_nats, kde_distance(p, far).kl_nats);
}

TEST(KdeDistance, RejectsEmptySetsAndBadOptions) {
  std::vector<double> p = {1}, none;
  EXPECT_THROW(kde_distance(p, none), ConfigError);
  EXPECT_THROW(kde_distance(none, p), ConfigError);
  EXPECT_THROW(kde_distance(p, p, {.grid_points = 2}), ConfigError);
  EXPECT_THROW(kde_distance(p, p, {.bandwidth = -1}), ConfigError);
  std::vector<double> nan = {std::nan("")};
  EXPECT_THROW(kde_distance(p, nan), ConfigError);
}

TEST(HistogramDistance, OverlapIsTheSumOfMinimaAndKlIsFloored) {
  std::vector<double> p = {1, 1, 0}, q = {0, 2, 2};
  DistributionDistance d = histogram_distance(p, q);
  EXPECT_DOUBLE_EQ(d.overlap_area, 0.5);
  // 0.5 ln(0.5 / 1e-12) + 0.5 ln(0.5 / 0.5)
  EXPECT_NEAR(d.kl_nats, 0.5 * std::log(0.5 / 1e-12), 1e-9);
  d = histogram_distance(q, q);
  EXPECT_DOUBLE_EQ(d.overlap_area, 1.0);
  EXPECT_DOUBLE_EQ(d.kl_nats, 0.0);
  std::vector<double> zeros = {0, 0, 0};
  EXPECT_DOUBLE_EQ(histogram_distance(zeros, zeros).overlap_area, 1.0);
  EXPECT_DOUBLE_EQ(histogram_distance(zeros, q).overlap_area, 0.0);
  EXPECT_THROW(histogram_distance(p, std::vector<double>{1, 2}), ConfigError);
}

std::vector<PieceMetrics> low_slow_set() {
  return {piece_metrics(line({48, 50, 48, 50}, 2), "a"),
          piece_metrics(line({48, 50, 50, 48, 48, 50}, 2), "b"),
          piece_metrics(line({50, 48, 50}, 2), "c")};
}

// n sixteenth notes alternating between F#5 and G#5, starting with `first`.
Score sixteenths(int n, int first) {
  std::vector<int> pitches;
  for (int i = 0; i < n; ++i) pitches.push_back(i % 2 == 0 ? first : 158 - first);
  return line(pitches, 0.25);
}

std::vector<PieceMetrics> high_fast_set() {
  return {piece_metrics(sixteenths(24, 78), "x"), piece_metrics(sixteenths(27, 80), "y"),
          piece_metrics(sixteenths(32, 78), "z")};
}

TEST(CompareSets, IdenticalSetsGiveOverlapOneAndKlZero) {
  auto set = low_slow_set();
  auto more = high_fast_set();
  set.insert(set.end(), more.begin(), more.end());
  SetComparison c = compare_sets(set, set);
  EXPECT_EQ(c.n_pieces, 6u);
  EXPECT_EQ(c.features.size(), 17u);
  for (const auto& f : c.features) {
    EXPECT_NEAR(f.distribution.overlap_area, 1.0, 1e-9) << f.feature;
    EXPECT_NEAR(f.distribution.kl_nats, 0.0, 1e-9) << f.feature;
    ASSERT_TRUE(f.set_intra_vs_inter.has_value());
    EXPECT_GE(f.set_intra_vs_inter->overlap_area, 0.0);
    EXPECT_LE(f.set_intra_vs_inter->overlap_area, 1.0);
  }
  EXPECT_NEAR(c.mean_overlap_area, 1.0, 1e-9);
  EXPECT_NEAR(c.mean_kl_nats, 0.0, 1e-9);
}

TEST(CompareSets, DisjointSetsBarelyOverlap) {
  SetComparison c = compare_sets(low_slow_set(), high_fast_set());
  auto feature = [&](const std::string& name) -> const FeatureComparison& {
    for (const auto& f : c.features)
      if (f.feature == name) return f;
    throw std::runtime_error("no feature " + name);
  };
  // C/D against F#/G#: no pitch class in common; halves against sixteenths.
  EXPECT_DOUBLE_EQ(feature("pitch_classes").distribution.overlap_area, 0.0);
  EXPECT_GT(feature("pitch_classes").distribution.kl_nats, 20.0);
  EXPECT_DOUBLE_EQ(feature("note_lengths").distribution.overlap_area, 0.0);
  EXPECT_LT(feature("n_notes").distribution.overlap_area, 0.01);
  EXPECT_LT(feature("notes_per_beat").distribution.overlap_area, 0.01);
  // Pieces within each set are much closer to each other than to the other set.
  ASSERT_TRUE(feature("notes_per_beat").set_intra_vs_inter.has_value());
  EXPECT_LT(feature("notes_per_beat").set_intra_vs_inter->overlap_area, 0.01);
  EXPECT_LT(feature("pitch_classes").reference_intra_vs_inter->overlap_area, 0.01);
  EXPECT_LT(c.mean_overlap_area, 0.5);
  SetComparison same = compare_sets(low_slow_set(), low_slow_set());
  EXPECT_GT(*same.mean_intra_inter_overlap_area, *c.mean_intra_inter_overlap_area);
}

TEST(CompareSets, SinglePieceSetsHaveNoIntraSetDistances) {
  std::vector<PieceMetrics> one = {low_slow_set()[0]};
  SetComparison c = compare_sets(one, high_fast_set());
  EXPECT_FALSE(c.features[0].set_intra_vs_inter.has_value());
  EXPECT_TRUE(c.features[0].reference_intra_vs_inter.has_value());
  EXPECT_FALSE(c.mean_intra_inter_overlap_area.has_value());
  nlohmann::json j = to_json(c);
  EXPECT_TRUE(j["summary"]["mean_intra_inter_overlap_area"].is_null());
  EXPECT_EQ(j["features"].size(), 17u);
  EXPECT_EQ(j["features"][0]["feature"], "n_notes");
}

TEST(CompareSets, EmptySetsAreRejected) {
  EXPECT_THROW(compare_sets({}, low_slow_set()), ConfigError);
  EXPECT_THROW(compare_sets(low_slow_set(), {}), ConfigError);
}

}  // namespace
}  // namespace musegen::eval
