// Part metrics on Scores built in code: grouping, order and labels, the scalars, and the
// comparison of like parts.
#include "eval/part_metrics.h"

#include <gtest/gtest.h>

namespace musegen::eval {
namespace {

void add(Score& s, int track, int channel, int program, int pitch, double start_q, double end_q) {
  Note n;
  n.track = track;
  n.channel = channel;
  n.program = program;
  n.pitch = pitch;
  n.start_ticks = static_cast<std::int64_t>(start_q * 480);
  n.end_ticks = static_cast<std::int64_t>(end_q * 480);
  s.notes.push_back(n);
}

// A quartet in two bars: two violins (the second lower), a cello playing double stops, drums.
Score quartet() {
  Score s;
  s.tracks = {{"v2"}, {"v1"}, {"vc"}, {"dr"}};
  s.tempos = {{0, 500000}};
  for (int q = 0; q < 8; ++q) add(s, 1, 0, 40, 76, q, q + 1);
  for (int q = 0; q < 8; q += 2) add(s, 0, 1, 40, 67, q, q + 2);
  add(s, 2, 2, 42, 36, 0, 8);
  add(s, 2, 2, 42, 43, 0, 4);
  add(s, 3, 9, 0, 36, 0, 0.5);
  s.sort_events();
  s.update_times();
  return s;
}

TEST(PartMetrics, PartsAreOrderedAndLabelledLikeTheTokenizerOrdersThem) {
  const auto parts = part_metrics(quartet());
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].label, "Violin 1");
  EXPECT_EQ(parts[0].highest_pitch, 76);  // the higher violin, though it is track 1
  EXPECT_EQ(parts[1].label, "Violin 2");
  EXPECT_EQ(parts[2].label, "Cello");
  EXPECT_EQ(parts[3].label, "Drums");
  EXPECT_EQ(parts[3].instrument, 128);
}

TEST(PartMetrics, ScalarsOfEachPart) {
  const auto parts = part_metrics(quartet());
  EXPECT_EQ(parts[0].n_notes, 8);
  EXPECT_DOUBLE_EQ(parts[0].notes_per_beat, 1.0);  // 8 notes over the piece's 8 beats
  EXPECT_DOUBLE_EQ(parts[0].polyphony, 1.0);
  EXPECT_DOUBLE_EQ(parts[1].mean_duration_beats, 2.0);
  EXPECT_EQ(parts[2].lowest_pitch, 36);
  EXPECT_EQ(parts[2].highest_pitch, 43);
  EXPECT_DOUBLE_EQ(parts[2].polyphony, 1.5);  // two notes for 4 beats, one for 4
}

TEST(PartMetrics, LikePartsAreComparedAndOthersLeftOut) {
  const std::vector<std::vector<PartMetrics>> set = {part_metrics(quartet()),
                                                     part_metrics(quartet())};
  auto trio = part_metrics(quartet());
  trio.erase(trio.begin() + 1);  // no Violin 2... and Violin 1 renamed as a lone violin
  trio[0].label = "Violin";
  const auto same = compare_parts(set, set);
  ASSERT_EQ(same.size(), 4u);
  for (const auto& c : same) EXPECT_NEAR(c.mean_overlap_area, 1.0, 1e-9) << c.label;
  const auto partial = compare_parts(set, {trio});
  ASSERT_EQ(partial.size(), 2u);  // Cello and Drums only
  EXPECT_EQ(partial[0].label, "Cello");
}

}  // namespace
}  // namespace musegen::eval
