// The diversity watch: pairwise Jaccard distances of bars, empty and distinct counts, and the
// collapse verdict on sets written out by hand.
#include "eval/bar_diversity.h"

#include <gtest/gtest.h>

namespace musegen::eval {
namespace {

TEST(BarDiversity, DistancesAndCounts) {
  // {1,2} vs {2,3}: 1 common of 3 -> 2/3; {1,2} vs {4}: 1; {2,3} vs {4}: 1.
  const BarSetStats s = bar_set_stats({{1, 2}, {2, 3}, {4}, {}, {1, 2}});
  EXPECT_EQ(s.bars, 5u);
  EXPECT_EQ(s.empty_bars, 1u);
  EXPECT_EQ(s.distinct_bars, 3u);
  // Pairs among the 4 non-empty: (a,b) 2/3, (a,c) 1, (a,a') 0, (b,c) 1, (b,a') 2/3, (c,a') 1.
  EXPECT_NEAR(s.mean_distance, (2.0 / 3 + 1 + 0 + 1 + 2.0 / 3 + 1) / 6, 1e-12);
  EXPECT_DOUBLE_EQ(s.mean_active_cells, 7.0 / 4);
}

struct Row {
  std::vector<BarCells> generated;
  bool collapsed;
  std::string reason_has;
};

TEST(BarDiversity, CollapseVerdicts) {
  const std::vector<BarCells> real = {{1, 2}, {3, 4}, {5, 6}, {1, 5}};
  const std::vector<Row> rows = {
      {.generated = {{1, 2}, {3, 4}, {5, 6}, {2, 6}}, .collapsed = false, .reason_has = ""},
      {.generated = {{1, 2}, {1, 2}, {1, 2}, {1, 2}}, .collapsed = true, .reason_has = "alike"},
      {.generated = {{}, {}, {}}, .collapsed = true, .reason_has = "silent"},
      // Spread but few distinct bars: 12 bars, 2 distinct (far apart), under a quarter.
      {.generated = {{1}, {9}, {1}, {9}, {1}, {9}, {1}, {9}, {1}, {9}, {1}, {9}},
       .collapsed = true,
       .reason_has = "distinct"},
  };
  for (const Row& row : rows) {
    const Diversity d = compare_diversity(row.generated, real);
    EXPECT_EQ(d.collapsed, row.collapsed) << d.reason;
    EXPECT_NE(d.reason.find(row.reason_has), std::string::npos) << d.reason;
    EXPECT_EQ(to_json(d)["collapsed"], row.collapsed);
  }
}

}  // namespace
}  // namespace musegen::eval
