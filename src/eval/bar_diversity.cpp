// Bar sets' spread by pairwise Jaccard distance, and the collapse verdict.
#include "eval/bar_diversity.h"

#include <algorithm>
#include <set>

#include "core/decimal.h"

namespace musegen::eval {

namespace {

double jaccard_distance(const BarCells& a, const BarCells& b) {
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++common, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const std::size_t either = a.size() + b.size() - common;
  return either == 0 ? 0.0 : 1.0 - static_cast<double>(common) / static_cast<double>(either);
}

nlohmann::json stats_json(const BarSetStats& s) {
  return {{"bars", s.bars},
          {"empty_bars", s.empty_bars},
          {"distinct_bars", s.distinct_bars},
          {"mean_distance", s.mean_distance},
          {"mean_active_cells", s.mean_active_cells}};
}

}  // namespace

BarSetStats bar_set_stats(const std::vector<BarCells>& bars) {
  BarSetStats s;
  s.bars = bars.size();
  std::vector<const BarCells*> full;
  std::set<BarCells> distinct;
  double cells = 0;
  for (const BarCells& b : bars) {
    if (b.empty()) {
      ++s.empty_bars;
      continue;
    }
    full.push_back(&b);
    distinct.insert(b);
    cells += static_cast<double>(b.size());
  }
  s.distinct_bars = distinct.size();
  if (!full.empty()) s.mean_active_cells = cells / static_cast<double>(full.size());
  double sum = 0;
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < full.size(); ++i)
    for (std::size_t j = i + 1; j < full.size(); ++j, ++pairs)
      sum += jaccard_distance(*full[i], *full[j]);
  if (pairs > 0) s.mean_distance = sum / static_cast<double>(pairs);
  return s;
}

Diversity compare_diversity(const std::vector<BarCells>& generated,
                            const std::vector<BarCells>& real) {
  Diversity d;
  d.generated = bar_set_stats(generated);
  d.real = bar_set_stats(real);
  d.ratio = d.real.mean_distance > 0 ? d.generated.mean_distance / d.real.mean_distance : 0.0;
  const std::size_t full = d.generated.bars - d.generated.empty_bars;
  if (full == 0) {
    d.reason = "every generated bar is silent";
  } else if (d.ratio < kCollapseRatio) {
    d.reason =
        "generated bars are alike (spread " + short_decimal(d.ratio, 2) + " of real music's)";
  } else if (static_cast<double>(d.generated.distinct_bars) <
             kCollapseDistinct * static_cast<double>(full)) {
    d.reason = "only " + std::to_string(d.generated.distinct_bars) + " distinct bars of " +
               std::to_string(full);
  }
  d.collapsed = !d.reason.empty();
  return d;
}

nlohmann::json to_json(const Diversity& d) {
  return {{"ratio", d.ratio},
          {"collapsed", d.collapsed},
          {"reason", d.reason},
          {"generated", stats_json(d.generated)},
          {"real", stats_json(d.real)}};
}

}  // namespace musegen::eval
