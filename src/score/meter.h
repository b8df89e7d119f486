// Measures and their metrical grid: the measure map of a Score (time signatures, keys, tempo
// marks, in divisions), and per measure the hierarchy of bar, beat groups, beats and their
// subdivisions that decides where written values may begin and end.
#pragma once

#include <cstdint>
#include <vector>

#include "music/score.h"
#include "score/notation.h"

namespace musegen::score {

// Divisions per quarter note for a Score: 12 (sixteenths and eighth-note triplets) or 24 when a
// time signature counts in thirty-seconds.
int divisions_for(const Score& score);

// A quarter-note position of the Score (ticks through Score::ticks_to_beats) in divisions.
double divisions_at(const Score& score, std::int64_t tick, int divisions);

// The measures covering [0, end) in divisions (at least one): time signatures from the Score
// (4/4 before the first; one that falls inside a measure ends that measure early; denominators
// above 32 and numerators above 64 are ignored), tempo changes at their positions rounded to a
// sixteenth. Keys are left to the caller. Throws musegen::Error beyond kMaxMeasures measures.
std::vector<MeasureInfo> measure_map(const Score& score, int divisions, std::int64_t end);

// Index of the measure holding position `pos` (the last one for positions past the end).
std::size_t measure_at(const std::vector<MeasureInfo>& measures, std::int64_t pos);

// The metrical grid of one measure; positions are divisions from the measure start.
class MeasureGrid {
 public:
  MeasureGrid(const MeasureInfo& measure, int divisions);

  std::int64_t length() const { return length_; }
  std::int64_t beat() const { return beat_; }
  // The middle of a bar of four beats (4/4, 4/2, 12/8) as a group length; 0 for other bars.
  std::int64_t group() const { return group_; }
  bool compound() const { return compound_; }
  int divisions() const { return divisions_; }
  // Cells of one quarter note where the triplet grid may be chosen (simple meters with a beat
  // of a quarter or a half); 0 when triplets are not offered in this measure.
  std::int64_t cell() const { return cell_; }
  // Where eighths and shorter values are beamed together: a quarter (simple), a beat (compound).
  std::int64_t beam_group() const { return compound_ ? beat_ : divisions_; }

  // Strength of a position: 0 bar line, 1 middle of a bar of 4 (or 12/8), 2 beat, 3 half beat
  // (compound: the counted unit; triplet cells: a third), 4 and up the finer subdivisions.
  int level(std::int64_t pos) const;
  // Marks cell `index` (from the measure start) as written in triplets.
  void set_triplet_cell(std::size_t index);
  bool triplet_cell_at(std::int64_t pos) const;
  // Start of the triplet cell holding `pos` when it is one, else -1.
  std::int64_t triplet_cell_start(std::int64_t pos) const;

 private:
  std::int64_t length_ = 48, beat_ = 12, group_ = 0, cell_ = 0;
  bool compound_ = false;
  int divisions_ = 12;
  std::vector<bool> triplet_cells_;
};

}  // namespace musegen::score
