// Rule R9 of music21-tokens.md: music21 5.x normalOrder for every pitch-class set.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tokenize/music21_chord.h"

namespace musegen::tokenize {
namespace {

unsigned mask_of(const std::vector<int>& pitches) {
  unsigned mask = 0;
  for (int p : pitches) mask |= pitch_class_bit(p);
  return mask;
}

struct ChordCase {
  std::vector<int> pitches;
  const char* token;
};

TEST(Music21Chord, MatchesTheSpecificationExamples) {
  const ChordCase cases[] = {
      {{0, 4, 7}, "0.4.7"},
      {{2, 7, 11}, "7.11.2"},
      {{0, 4, 9}, "9.0.4"},
      {{0, 2, 6, 9}, "6.9.0.2"},
      {{0, 4, 7, 11}, "11.0.4.7"},
      {{0, 7}, "7.0"},
      {{7, 12}, "7.0"},
      {{4, 9}, "4.9"},
      {{5, 11}, "5.11"},
      {{0, 4, 8}, "0.4.8"},
      {{2, 5, 8, 11}, "2.5.8.11"},
      {{60, 72}, "0"},
      {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "0.1.2.3.4.5.6.7.8.9.10.11"},
      {{0, 3, 4, 8}, "8.0.3.4"},  // textbook normal order: 0.3.4.8
      {{0, 4, 7, 8}, "0.4.7.8"},  // textbook: 4.7.8.0
      {{0, 1, 5, 9}, "5.9.0.1"},  // textbook: 9.0.1.5
  };
  for (const auto& c : cases) EXPECT_EQ(music21_chord_token(mask_of(c.pitches)), c.token);
}

TEST(Music21Chord, NormalOrderIsAnOrderingOfTheSet) {
  for (unsigned mask = 1; mask < 4096; ++mask) {
    std::vector<int> order = music21_normal_order(mask);
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_TRUE(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) << mask;
    ASSERT_EQ(mask_of(order), mask) << mask;
  }
}

TEST(Music21Chord, DiffersFromTextbookNormalOrderOn204Sets) {
  int differing = 0;
  for (unsigned mask = 1; mask < 4096; ++mask)
    differing += music21_normal_order(mask) != forte_normal_order(mask);
  EXPECT_EQ(differing, 204);
  EXPECT_EQ(forte_normal_order(mask_of({0, 3, 4, 8})), (std::vector<int>{0, 3, 4, 8}));
}

TEST(Music21Chord, TokenJoinsTheNormalOrderWithDots) {
  for (unsigned mask = 1; mask < 4096; ++mask) {
    std::string joined;
    for (int p : music21_normal_order(mask)) {
      if (!joined.empty()) joined += '.';
      joined += std::to_string(p);
    }
    ASSERT_EQ(music21_chord_token(mask), joined);
  }
}

TEST(Music21Chord, InvalidMasksGiveNothing) {
  EXPECT_TRUE(music21_normal_order(0).empty());
  EXPECT_TRUE(music21_chord_token(4096).empty());
  EXPECT_TRUE(forte_normal_order(0).empty());
}

}  // namespace
}  // namespace musegen::tokenize
