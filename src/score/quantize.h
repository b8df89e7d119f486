// Quantisation of one staff's notes to the written grid: per quarter-note cell of a simple
// meter, sixteenths or eighth-note triplets, whichever moves the cell's onsets and ends less.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "score/meter.h"
#include "score/notation.h"

namespace musegen::score {

struct SourceNote {
  double start = 0, end = 0;  // divisions, unrounded
  int pitch = 60;
  int velocity = 80;
};

struct GridNote {
  std::int64_t start = 0, end = 0;  // divisions, end > start
  int pitch = 60;
  int velocity = 80;
  bool played_end = false;  // the source's end was off the grid: played, not written
};

// Chooses each cell's grid by its onsets (marking triplet cells in `grids`, one per measure),
// snaps every onset and end to it, gives a note that collapsed to nothing one step, keeps one
// note of a pitch per onset (the longest; stats.n_merged), and ends a note where the next onset
// of its pitch begins, or where the staff's next onset begins when it would overhang it by at
// most one step (legato overlap; both in stats.n_shortened). Sorted by (start, pitch).
std::vector<GridNote> quantize(std::span<const SourceNote> notes,
                               const std::vector<MeasureInfo>& measures,
                               std::vector<MeasureGrid>& grids, bool triplets,
                               NotationStats& stats);

// The next beat after `pos` (the end of its measure at the latest).
std::int64_t next_beat(const std::vector<MeasureInfo>& measures,
                       const std::vector<MeasureGrid>& grids, std::int64_t pos);

// The last point of the written grid (as chosen in `grids`) at or before `pos`.
std::int64_t grid_floor(const std::vector<MeasureInfo>& measures,
                        const std::vector<MeasureGrid>& grids, std::int64_t pos);

// The straight grid step of a measure: a sixteenth, or a thirty-second in measures whose
// length is not a whole number of sixteenths.
std::int64_t straight_step(const MeasureGrid& grid);

}  // namespace musegen::score
