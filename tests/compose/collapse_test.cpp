// The collapse verdict on hand-made pieces: one pitch throughout, one bar repeated, drums left
// out, and music that varies (or is too short to judge) left alone.
#include "compose/collapse.h"

#include <gtest/gtest.h>

#include <vector>

namespace musegen::compose {
namespace {

// Quarter notes (480 ticks each, 4/4) of `pitches` in order; channel 10 when `drums`.
Score quarters(const std::vector<int>& pitches, bool drums = false) {
  Score s;
  s.tracks.push_back({"part"});
  for (std::size_t i = 0; i < pitches.size(); ++i) {
    Note n;
    n.pitch = pitches[i];
    n.channel = drums ? kDrumChannel : 0;
    n.start_ticks = static_cast<std::int64_t>(i) * 480;
    n.end_ticks = n.start_ticks + 480;
    s.notes.push_back(n);
  }
  s.update_times();
  return s;
}

std::vector<int> repeated(const std::vector<int>& bar, int times) {
  std::vector<int> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), bar.begin(), bar.end());
  return out;
}

TEST(Collapse, OnePitchThroughout) {
  const auto verdict = collapse_warning(quarters(std::vector<int>(500, 74)));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->find("500 notes is D5"), std::string::npos) << *verdict;
}

TEST(Collapse, OneBarRepeated) {
  // Six bars of the same four notes, the last one cut short after two.
  std::vector<int> pitches = repeated({60, 64, 67, 72}, 5);
  pitches.insert(pitches.end(), {60, 64});
  const auto verdict = collapse_warning(quarters(pitches));
  ASSERT_TRUE(verdict.has_value());
  EXPECT_NE(verdict->find("repeats in every one of its 6 bars"), std::string::npos) << *verdict;
}

TEST(Collapse, MusicThatVariesOrIsShortIsLeftAlone) {
  std::vector<int> pitches = repeated({60, 64, 67, 72}, 5);
  pitches[9] = 65;  // one note differs in bar 3
  EXPECT_FALSE(collapse_warning(quarters(pitches)).has_value());
  EXPECT_FALSE(collapse_warning(quarters({60, 60, 60, 60, 60})).has_value());  // under 8 notes
  EXPECT_FALSE(collapse_warning(quarters(repeated({60, 62, 64, 65}, 3))).has_value());  // 3 bars
}

TEST(Collapse, DrumPatternsAreNotCollapse) {
  EXPECT_FALSE(collapse_warning(quarters(repeated({36, 38, 36, 38}, 8), true)).has_value());
}

}  // namespace
}  // namespace musegen::compose
