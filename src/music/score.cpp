// Score queries, tempo-map timing and transposition.
#include "music/score.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/errors.h"

namespace musegen {

namespace {

auto note_key(const Note& n) {
  return std::tie(n.start_ticks, n.track, n.channel, n.pitch, n.end_ticks, n.velocity, n.program);
}

}  // namespace

double Score::ticks_to_seconds(std::int64_t tick) const {
  if (smpte_ticks_per_sec > 0) return static_cast<double>(tick) / smpte_ticks_per_sec;
  const double tpq = ticks_per_quarter;
  double seconds = 0;
  std::int64_t at = 0;
  int us = 500000;
  for (const auto& t : tempos) {
    if (t.tick >= tick) break;
    seconds += static_cast<double>(t.tick - at) * us / 1e6 / tpq;
    at = t.tick;
    us = t.us_per_quarter;
  }
  return seconds + static_cast<double>(tick - at) * us / 1e6 / tpq;
}

double Score::ticks_to_beats(std::int64_t tick) const {
  if (smpte_ticks_per_sec > 0) return ticks_to_seconds(tick) * 2.0;  // 120 bpm convention
  return static_cast<double>(tick) / ticks_per_quarter;
}

std::int64_t Score::seconds_to_ticks(double seconds) const {
  if (smpte_ticks_per_sec > 0) return std::llround(seconds * smpte_ticks_per_sec);
  const double tpq = ticks_per_quarter;
  double at_sec = 0;
  std::int64_t at = 0;
  int us = 500000;
  for (const auto& t : tempos) {
    double next_sec = at_sec + static_cast<double>(t.tick - at) * us / 1e6 / tpq;
    if (next_sec > seconds) break;
    at_sec = next_sec;
    at = t.tick;
    us = t.us_per_quarter;
  }
  return at + std::llround((seconds - at_sec) * 1e6 * tpq / us);
}

void Score::update_times() {
  // One pass over notes sorted by start would be faster; notes are few enough per file that
  // the per-tick tempo walk stays well below parsing cost (measured in bench/).
  if (tempos.size() <= 1 || smpte_ticks_per_sec > 0) {
    for (auto& n : notes) {
      n.start_sec = ticks_to_seconds(n.start_ticks);
      n.end_sec = ticks_to_seconds(n.end_ticks);
      n.start_beats = ticks_to_beats(n.start_ticks);
      n.end_beats = ticks_to_beats(n.end_ticks);
    }
    return;
  }
  // Precompute the seconds at each tempo change, then binary-search per time.
  std::vector<double> at_sec(tempos.size());
  double sec = 0;
  std::int64_t at = 0;
  int us = 500000;
  for (std::size_t i = 0; i < tempos.size(); ++i) {
    sec += static_cast<double>(tempos[i].tick - at) * us / 1e6 / ticks_per_quarter;
    at_sec[i] = sec;
    at = tempos[i].tick;
    us = tempos[i].us_per_quarter;
  }
  auto to_sec = [&](std::int64_t tick) {
    auto it = std::upper_bound(tempos.begin(), tempos.end(), tick,
                               [](std::int64_t t, const TempoChange& c) { return t <= c.tick; });
    if (it == tempos.begin()) return static_cast<double>(tick) * 0.5 / ticks_per_quarter;
    std::size_t i = static_cast<std::size_t>(it - tempos.begin()) - 1;
    return at_sec[i] +
           static_cast<double>(tick - tempos[i].tick) * tempos[i].us_per_quarter / 1e6 /
               ticks_per_quarter;
  };
  for (auto& n : notes) {
    n.start_sec = to_sec(n.start_ticks);
    n.end_sec = to_sec(n.end_ticks);
    n.start_beats = ticks_to_beats(n.start_ticks);
    n.end_beats = ticks_to_beats(n.end_ticks);
  }
}

void Score::sort_events() {
  std::stable_sort(notes.begin(), notes.end(),
                   [](const Note& a, const Note& b) { return note_key(a) < note_key(b); });
  auto by_tick = [](const auto& a, const auto& b) { return a.tick < b.tick; };
  std::stable_sort(tempos.begin(), tempos.end(), by_tick);
  std::stable_sort(time_signatures.begin(), time_signatures.end(), by_tick);
  std::stable_sort(key_signatures.begin(), key_signatures.end(), by_tick);
}

std::int64_t Score::end_ticks() const {
  std::int64_t end = 0;
  for (const auto& n : notes) end = std::max(end, n.end_ticks);
  return end;
}

std::optional<std::pair<int, int>> Score::pitch_range() const {
  std::optional<std::pair<int, int>> range;
  for (const auto& n : notes) {
    if (n.is_drum()) continue;
    if (!range) range = {n.pitch, n.pitch};
    range->first = std::min(range->first, n.pitch);
    range->second = std::max(range->second, n.pitch);
  }
  return range;
}

std::vector<Note> Score::notes_sounding_at(std::int64_t tick) const {
  std::vector<Note> out;
  for (const auto& n : notes) {
    if (n.start_ticks > tick) break;  // sorted by start
    if (n.end_ticks > tick) out.push_back(n);
  }
  return out;
}

bool Score::can_transpose(int semitones) const {
  auto range = pitch_range();
  if (!range) return true;
  return range->first + semitones >= 0 && range->second + semitones <= 127;
}

void Score::transpose(int semitones) {
  if (!can_transpose(semitones))
    throw ConfigError("semitones", "transposing by " + std::to_string(semitones) +
                                       " moves notes outside the MIDI range",
                      "pitches 0..127");
  for (auto& n : notes)
    if (!n.is_drum()) n.pitch += semitones;
  sort_events();
}

bool same_music(const Score& a, const Score& b) {
  if (a.ticks_per_quarter != b.ticks_per_quarter || a.notes.size() != b.notes.size() ||
      a.tracks.size() != b.tracks.size() || a.tempos.size() != b.tempos.size() ||
      a.time_signatures.size() != b.time_signatures.size() ||
      a.key_signatures.size() != b.key_signatures.size())
    return false;
  if (std::abs(a.smpte_ticks_per_sec - b.smpte_ticks_per_sec) > 1e-9) return false;
  for (std::size_t i = 0; i < a.notes.size(); ++i)
    if (note_key(a.notes[i]) != note_key(b.notes[i])) return false;
  for (std::size_t i = 0; i < a.tracks.size(); ++i)
    if (a.tracks[i].name != b.tracks[i].name) return false;
  for (std::size_t i = 0; i < a.tempos.size(); ++i)
    if (a.tempos[i].tick != b.tempos[i].tick ||
        a.tempos[i].us_per_quarter != b.tempos[i].us_per_quarter)
      return false;
  for (std::size_t i = 0; i < a.time_signatures.size(); ++i) {
    const auto &x = a.time_signatures[i], &y = b.time_signatures[i];
    if (x.tick != y.tick || x.numerator != y.numerator || x.denominator != y.denominator)
      return false;
  }
  for (std::size_t i = 0; i < a.key_signatures.size(); ++i) {
    const auto &x = a.key_signatures[i], &y = b.key_signatures[i];
    if (x.tick != y.tick || x.sharps != y.sharps || x.minor != y.minor) return false;
  }
  return true;
}

}  // namespace musegen
