// How varied a set of bars is, the watch on a GAN's mode collapse: bars given as the sorted
// indices of their active piano-roll cells, compared pair by pair by Jaccard distance (1 - the
// share of active cells two bars have in common), counted as empty and distinct, and the
// generated set's spread set against real music's. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musegen::eval {

// One bar: the sorted, distinct indices of its active cells.
using BarCells = std::vector<std::uint32_t>;

struct BarSetStats {
  std::size_t bars = 0;
  std::size_t empty_bars = 0;     // without an active cell
  std::size_t distinct_bars = 0;  // distinct non-empty bars
  double mean_distance = 0;       // mean Jaccard distance over pairs of non-empty bars, 0..1
  double mean_active_cells = 0;   // per non-empty bar
};

BarSetStats bar_set_stats(const std::vector<BarCells>& bars);

struct Diversity {
  BarSetStats generated, real;
  // generated.mean_distance / real.mean_distance: about 1 when the generated bars differ from
  // one another as much as real bars do, near 0 when they are all alike.
  double ratio = 0;
  bool collapsed = false;
  std::string reason;  // why collapsed, "" otherwise
};

// Collapse: no non-empty generated bar, a ratio under kCollapseRatio, or fewer than
// kCollapseDistinct of the non-empty generated bars distinct.
inline constexpr double kCollapseRatio = 0.3;
inline constexpr double kCollapseDistinct = 0.25;
Diversity compare_diversity(const std::vector<BarCells>& generated,
                            const std::vector<BarCells>& real);

// {"ratio", "collapsed", "reason", "generated": {...}, "real": {...}}
nlohmann::json to_json(const Diversity& diversity);

}  // namespace musegen::eval
