// The measure map (time signatures, tempo marks) and the metrical levels of a measure.
#include "score/meter.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.h"

namespace musegen::score {

namespace {

bool usable(const TimeSignature& ts) {
  const int d = ts.denominator;
  return ts.numerator >= 1 && ts.numerator <= 64 && d >= 1 && d <= 32 && (d & (d - 1)) == 0;
}

std::int64_t measure_length(int beats, int beat_type, int divisions) {
  return std::int64_t{beats} * 4 * divisions / beat_type;
}

std::int64_t round_to(double value, std::int64_t step) {
  return std::llround(value / static_cast<double>(step)) * step;
}

// Time signature changes as (position, signature), rounded to a sixteenth (a thirty-second
// with 24 divisions), later ones at one position replacing earlier ones.
std::vector<std::pair<std::int64_t, TimeSignature>> signature_changes(const Score& score,
                                                                      int divisions) {
  std::vector<std::pair<std::int64_t, TimeSignature>> changes;
  const std::int64_t step = divisions / 4 / (divisions == 24 ? 2 : 1);
  for (const auto& ts : score.time_signatures) {
    if (!usable(ts)) continue;
    const std::int64_t pos = round_to(divisions_at(score, ts.tick, divisions), step);
    if (!changes.empty() && changes.back().first == pos) changes.pop_back();
    changes.emplace_back(pos, ts);
  }
  return changes;
}

void add_tempos(const Score& score, int divisions, std::vector<MeasureInfo>& measures) {
  std::vector<std::pair<std::int64_t, double>> tempos;  // position, bpm
  for (const auto& t : score.tempos) {
    const std::int64_t pos = round_to(divisions_at(score, t.tick, divisions), divisions / 4);
    if (!tempos.empty() && tempos.back().first == pos) tempos.pop_back();
    tempos.emplace_back(pos, t.bpm());
  }
  if (tempos.empty() || tempos.front().first > 0) tempos.insert(tempos.begin(), {0, 120.0});
  long shown_bpm = -1;
  for (std::size_t i = 0; i < tempos.size(); ++i) {
    const auto [pos, bpm] = tempos[i];
    MeasureInfo& m = measures[measure_at(measures, pos)];
    // A mark a player can follow: the first, then changes that last a bar and differ in
    // whole beats per minute; the others only set the playback tempo.
    const bool lasts = i + 1 == tempos.size() || tempos[i + 1].first - pos >= m.length;
    const bool show = i == 0 || (lasts && std::lround(bpm) != shown_bpm);
    if (show) shown_bpm = std::lround(bpm);
    m.tempos.push_back({pos - m.start, bpm, show});
  }
}

}  // namespace

int divisions_for(const Score& score) {
  for (const auto& ts : score.time_signatures)
    if (usable(ts) && ts.denominator == 32) return 24;
  return 12;
}

double divisions_at(const Score& score, std::int64_t tick, int divisions) {
  return score.ticks_to_beats(tick) * divisions;
}

std::vector<MeasureInfo> measure_map(const Score& score, int divisions, std::int64_t end) {
  const auto changes = signature_changes(score, divisions);
  std::vector<MeasureInfo> measures;
  TimeSignature ts;  // 4/4
  std::size_t next = 0;
  std::int64_t pos = 0;
  bool first = true;
  while (pos < end || measures.empty()) {
    bool changed = first;
    for (; next < changes.size() && changes[next].first <= pos; ++next) {
      changed |= changes[next].second.numerator != ts.numerator ||
                 changes[next].second.denominator != ts.denominator;
      ts = changes[next].second;
    }
    std::int64_t length = measure_length(ts.numerator, ts.denominator, divisions);
    if (next < changes.size()) length = std::min(length, changes[next].first - pos);
    if (measures.size() >= kMaxMeasures)
      throw Error("the music lasts more than " + std::to_string(kMaxMeasures) +
                  " measures, more than a score is made to hold");
    MeasureInfo m;
    m.start = pos;
    m.length = length;
    m.beats = ts.numerator;
    m.beat_type = ts.denominator;
    m.time_change = changed;
    measures.push_back(m);
    pos += length;
    first = false;
  }
  add_tempos(score, divisions, measures);
  return measures;
}

std::size_t measure_at(const std::vector<MeasureInfo>& measures, std::int64_t pos) {
  auto it = std::upper_bound(measures.begin(), measures.end(), pos,
                             [](std::int64_t p, const MeasureInfo& m) { return p < m.start; });
  return it == measures.begin() ? 0 : static_cast<std::size_t>(it - measures.begin()) - 1;
}

MeasureGrid::MeasureGrid(const MeasureInfo& m, int divisions) : divisions_(divisions) {
  length_ = m.length;
  const std::int64_t unit = std::int64_t{4} * divisions / m.beat_type;  // the counted value
  compound_ = m.beats % 3 == 0 && (m.beats > 3 || m.beat_type >= 8);
  beat_ = compound_ ? 3 * unit : unit;
  const std::int64_t n_beats = measure_length(m.beats, m.beat_type, divisions) / beat_;
  if (n_beats == 4) group_ = 2 * beat_;  // 4/4, 4/2, 12/8: the middle of the bar
  if (!compound_ && m.beat_type <= 4) {
    cell_ = divisions;
    triplet_cells_.assign(static_cast<std::size_t>((length_ + cell_ - 1) / cell_), false);
  }
}

int MeasureGrid::level(std::int64_t pos) const {
  if (pos <= 0 || pos >= length_) return 0;
  if (group_ > 0 && pos % group_ == 0) return 1;
  if (pos % beat_ == 0) return 2;
  const std::int64_t in_beat = pos % beat_;
  if (triplet_cell_at(pos)) return (pos - triplet_cell_start(pos)) % (cell_ / 3) == 0 ? 3 : 6;
  std::int64_t sub = compound_ ? beat_ / 3 : beat_ / 2;
  for (int level = 3; level < 7 && sub > 0; ++level, sub /= 2)
    if (in_beat % sub == 0) return level;
  return 7;
}

void MeasureGrid::set_triplet_cell(std::size_t index) {
  if (index < triplet_cells_.size()) triplet_cells_[index] = true;
}

bool MeasureGrid::triplet_cell_at(std::int64_t pos) const {
  return triplet_cell_start(pos) >= 0;
}

std::int64_t MeasureGrid::triplet_cell_start(std::int64_t pos) const {
  if (cell_ == 0 || pos < 0 || pos >= length_) return -1;
  const auto index = static_cast<std::size_t>(pos / cell_);
  return index < triplet_cells_.size() && triplet_cells_[index] ? pos - pos % cell_ : -1;
}

}  // namespace musegen::score
