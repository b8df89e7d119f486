// Grid choice per cell by least total snapping error, then snapping and clean-up.
#include "score/quantize.h"

#include <algorithm>
#include <cmath>

namespace musegen::score {

namespace {

struct Snapper {
  const std::vector<MeasureInfo>& measures;
  const std::vector<MeasureGrid>& grids;

  // The grid point nearest to `t` in the grid of the cell holding it.
  std::int64_t snap(double t) const {
    const std::size_t i = measure_at(measures, static_cast<std::int64_t>(std::floor(t)));
    const MeasureGrid& g = grids[i];
    const double rel = std::max(0.0, t - static_cast<double>(measures[i].start));
    const std::int64_t cell = g.triplet_cell_start(static_cast<std::int64_t>(std::floor(rel)));
    std::int64_t q;
    if (cell >= 0) {
      const std::int64_t third = g.cell() / 3;
      q = cell +
          std::llround((rel - static_cast<double>(cell)) / static_cast<double>(third)) * third;
      q = std::min(q, cell + g.cell());
    } else {
      const std::int64_t step = straight_step(g);
      q = std::llround(rel / static_cast<double>(step)) * step;
    }
    return measures[i].start + std::min(q, g.length());
  }

  // The grid step at position `pos`.
  std::int64_t step_at(std::int64_t pos) const {
    const std::size_t i = measure_at(measures, pos);
    const MeasureGrid& g = grids[i];
    return g.triplet_cell_at(pos - measures[i].start) ? g.cell() / 3 : straight_step(g);
  }
};

double snap_error(double t, double origin, double step, double limit) {
  const double q = std::min(origin + std::round((t - origin) / step) * step, limit);
  return std::abs(t - q);
}

// Marks the cells of measure `i` whose onsets snap better to thirds than to sixteenths.
void choose_cells(const std::vector<double>& onsets, const std::vector<double>& ends,
                  const MeasureInfo& m, MeasureGrid& g, NotationStats& stats) {
  if (g.cell() == 0) return;
  const double third = static_cast<double>(g.cell()) / 3, sixteenth = g.cell() / 4.0;
  for (std::int64_t cs = 0; cs + g.cell() <= g.length(); cs += g.cell()) {
    const double lo = static_cast<double>(m.start + cs), hi = lo + static_cast<double>(g.cell());
    double straight = 0, triplet = 0;
    const auto first = std::lower_bound(onsets.begin(), onsets.end(), lo);
    const bool any_onset = first != onsets.end() && *first < hi;
    // The onsets make the rhythm; ends (articulation) count only in a cell without onsets.
    const std::vector<double>& times = any_onset ? onsets : ends;
    for (auto it = std::lower_bound(times.begin(), times.end(), lo); it != times.end() && *it < hi;
         ++it) {
      straight += snap_error(*it, lo, sixteenth, hi);
      triplet += snap_error(*it, lo, third, hi);
    }
    if (triplet < straight - 1e-6) {
      g.set_triplet_cell(static_cast<std::size_t>(cs / g.cell()));
      ++stats.n_triplet_beats;
    }
  }
}

// Of several notes with one onset and pitch, keeps the longest.
void merge_unisons(std::vector<GridNote>& notes, NotationStats& stats) {
  std::sort(notes.begin(), notes.end(), [](const GridNote& a, const GridNote& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.pitch != b.pitch) return a.pitch < b.pitch;
    return a.end > b.end;
  });
  const auto last =
      std::unique(notes.begin(), notes.end(), [](const GridNote& a, const GridNote& b) {
        return a.start == b.start && a.pitch == b.pitch;
      });
  stats.n_merged += static_cast<std::size_t>(notes.end() - last);
  notes.erase(last, notes.end());
}

// A pitch sounds once at a time; a small overhang into the next onset is legato, not a voice.
void trim_overlaps(std::vector<GridNote>& notes, const Snapper& snapper, NotationStats& stats) {
  std::vector<std::int64_t> onsets;
  for (const auto& n : notes) onsets.push_back(n.start);
  onsets.erase(std::unique(onsets.begin(), onsets.end()), onsets.end());
  std::vector<std::size_t> last_of_pitch(128, notes.size());
  for (std::size_t k = 0; k < notes.size(); ++k) {
    GridNote& n = notes[k];
    std::size_t& prev = last_of_pitch[static_cast<std::size_t>(n.pitch & 127)];
    if (prev < notes.size() && notes[prev].end > n.start) {
      notes[prev].end = n.start;
      ++stats.n_shortened;
    }
    prev = k;
  }
  for (GridNote& n : notes) {
    auto next = std::upper_bound(onsets.begin(), onsets.end(), n.start);
    if (next != onsets.end() && *next < n.end && n.end - *next <= snapper.step_at(*next)) {
      n.end = *next;
      ++stats.n_shortened;
    }
  }
}

}  // namespace

std::int64_t next_beat(const std::vector<MeasureInfo>& measures,
                       const std::vector<MeasureGrid>& grids, std::int64_t pos) {
  const std::size_t i = measure_at(measures, pos);
  const std::int64_t rel = pos - measures[i].start, beat = grids[i].beat();
  return measures[i].start + std::min((rel / beat + 1) * beat, grids[i].length());
}

std::int64_t grid_floor(const std::vector<MeasureInfo>& measures,
                        const std::vector<MeasureGrid>& grids, std::int64_t pos) {
  const std::size_t i = measure_at(measures, pos);
  const MeasureGrid& g = grids[i];
  const std::int64_t rel = std::min(pos - measures[i].start, g.length());
  const std::int64_t cell = g.triplet_cell_start(rel);
  const std::int64_t step = cell >= 0 ? g.cell() / 3 : straight_step(g);
  const std::int64_t origin = cell >= 0 ? cell : 0;
  return measures[i].start + origin + (rel - origin) / step * step;
}

std::int64_t straight_step(const MeasureGrid& g) {
  const std::int64_t sixteenth = g.divisions() / 4;
  return g.length() % sixteenth == 0 ? sixteenth : sixteenth / 2;
}

std::vector<GridNote> quantize(std::span<const SourceNote> notes,
                               const std::vector<MeasureInfo>& measures,
                               std::vector<MeasureGrid>& grids, bool triplets,
                               NotationStats& stats) {
  if (triplets) {
    std::vector<double> onsets, ends;
    for (const auto& n : notes) {
      onsets.push_back(n.start);
      ends.push_back(n.end);
    }
    std::sort(onsets.begin(), onsets.end());
    std::sort(ends.begin(), ends.end());
    for (std::size_t i = 0; i < measures.size(); ++i)
      choose_cells(onsets, ends, measures[i], grids[i], stats);
  }
  const Snapper snapper{measures, grids};
  std::vector<GridNote> out;
  out.reserve(notes.size());
  for (const auto& n : notes) {
    GridNote g{snapper.snap(n.start), snapper.snap(n.end), n.pitch, n.velocity};
    g.played_end = std::abs(n.end - static_cast<double>(g.end)) > 1e-3;
    if (g.end <= g.start) g.end = g.start + snapper.step_at(g.start);
    out.push_back(g);
  }
  merge_unisons(out, stats);
  trim_overlaps(out, snapper, stats);
  return out;
}

}  // namespace musegen::score
