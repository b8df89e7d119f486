// Score <-> piano-roll phrases: parts placed on the step grid, phrases cut at every bar,
// dense cells for the networks, and the decoding rule back to notes.
#include "data/piano_roll.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "music/general_midi.h"
#include "music/parts.h"

namespace musegen::data {

namespace {

struct GridNote {
  int track = 0, pitch = 0;
  std::int64_t start = 0, end = 0;  // steps
};

std::vector<GridNote> grid_notes(const Score& score, const RollFormat& format, RollStats& stats) {
  std::vector<GridNote> notes;
  const double per_quarter = format.steps_per_quarter();
  int pitched_index = 0;
  for (const NotePart& part : note_parts(score)) {
    if (part.instrument == kGmDrumKit) {
      stats.drum_notes += part.notes.size();
      continue;
    }
    const int track = std::min(pitched_index++, format.tracks - 1);
    for (const Note* n : part.notes) {
      if (n->pitch < format.pitch_low || n->pitch > format.pitch_high) {
        ++stats.notes_out_of_range;
        continue;
      }
      const auto start = std::llround(n->start_beats * per_quarter);
      const auto end = std::max<std::int64_t>(start + 1, std::llround(n->end_beats * per_quarter));
      notes.push_back({track, n->pitch, start, end});
      ++stats.notes;
    }
  }
  return notes;
}

}  // namespace

std::size_t RollFormat::cells() const {
  return static_cast<std::size_t>(tracks) * 2 * static_cast<std::size_t>(steps()) *
         static_cast<std::size_t>(pitches());
}

std::size_t RollFormat::cell(int track, int plane, int step, int pitch_index) const {
  return ((static_cast<std::size_t>(track) * 2 + static_cast<std::size_t>(plane)) *
              static_cast<std::size_t>(steps()) +
          static_cast<std::size_t>(step)) *
             static_cast<std::size_t>(pitches()) +
         static_cast<std::size_t>(pitch_index);
}

RollFormat roll_format_of(int tracks, int bars, int steps_per_bar, int pitch_low, int pitch_high) {
  return {.tracks = tracks,
          .bars = bars,
          .steps_per_bar = steps_per_bar,
          .pitch_low = pitch_low,
          .pitch_high = pitch_high};
}

void validate(const RollFormat& f) {
  if (f.tracks < 1 || f.tracks > 15) throw ConfigError("gan_tracks", "out of range", "1..15");
  if (f.bars < 1 || f.bars > 16) throw ConfigError("gan_bars", "out of range", "1..16");
  if (f.steps_per_bar < 4 || f.steps_per_bar > 96 || f.steps_per_bar % 4 != 0)
    throw ConfigError("gan_steps_per_bar", "out of range", "4..96, a multiple of 4");
  if (f.pitch_low < 0 || f.pitch_high > 127 || f.pitch_high < f.pitch_low)
    throw ConfigError("gan_pitch_low", "the pitch range must lie in 0..127, low <= high",
                      "0 <= gan_pitch_low <= gan_pitch_high <= 127");
}

std::vector<Phrase> score_phrases(const Score& score, const RollFormat& format, RollStats& stats) {
  const std::vector<GridNote> notes = grid_notes(score, format, stats);
  std::int64_t end = 0;
  for (const GridNote& n : notes) end = std::max(end, n.end);
  const std::int64_t n_bars = (end + format.steps_per_bar - 1) / format.steps_per_bar;
  std::vector<Phrase> phrases;
  for (std::int64_t bar = 0; bar + format.bars <= std::max<std::int64_t>(n_bars, format.bars);
       ++bar) {
    const std::int64_t first = bar * format.steps_per_bar, last = first + format.steps();
    Phrase phrase;
    phrase.first_bar = static_cast<int>(bar);
    for (const GridNote& n : notes) {
      if (n.start >= last || n.end <= first) continue;
      const std::int64_t start = std::max(n.start, first), stop = std::min(n.end, last);
      phrase.notes.push_back({static_cast<std::uint8_t>(n.track),
                              static_cast<std::uint8_t>(n.pitch),
                              static_cast<std::uint16_t>(start - first),
                              static_cast<std::uint16_t>(stop - start), n.start >= first});
    }
    if (!phrase.notes.empty()) phrases.push_back(std::move(phrase));
  }
  return phrases;
}

void render_phrase(const Phrase& phrase, const RollFormat& format, int semitones,
                   std::span<float> out) {
  if (out.size() != format.cells())
    throw ConfigError("cells", "a phrase needs " + std::to_string(format.cells()) + " cells");
  std::fill(out.begin(), out.end(), 0.0f);
  for (const RollNote& n : phrase.notes) {
    const int pitch = n.pitch + semitones;
    if (pitch < format.pitch_low || pitch > format.pitch_high) continue;
    const int p = pitch - format.pitch_low;
    for (int s = n.start; s < n.start + n.steps && s < format.steps(); ++s)
      out[format.cell(n.track, 0, s, p)] = 1.0f;
    if (n.onset) out[format.cell(n.track, 1, n.start, p)] = 1.0f;
  }
}

namespace {

// [global step][pitch index] of one plane of one track over consecutive phrases. For the
// sounding plane of a monophonic track only the most likely pitch over 0.5 is kept per step.
std::vector<std::vector<bool>> decode_planes(std::span<const float> cells, const RollFormat& f,
                                             int n_phrases, int track, int plane, bool mono) {
  const int steps = f.steps(), pitches = f.pitches();
  std::vector<std::vector<bool>> on(static_cast<std::size_t>(n_phrases * steps),
                                    std::vector<bool>(static_cast<std::size_t>(pitches), false));
  for (int ph = 0; ph < n_phrases; ++ph)
    for (int s = 0; s < steps; ++s) {
      const float* row =
          cells.data() + static_cast<std::size_t>(ph) * f.cells() + f.cell(track, plane, s, 0);
      auto& out = on[static_cast<std::size_t>(ph * steps + s)];
      if (mono && plane == 0) {
        const auto best = std::max_element(row, row + pitches);
        if (*best >= 0.5f) out[static_cast<std::size_t>(best - row)] = true;
        continue;
      }
      for (int p = 0; p < pitches; ++p) out[static_cast<std::size_t>(p)] = row[p] >= 0.5f;
    }
  return on;
}

}  // namespace

Score rolls_to_score(std::span<const float> cells, const RollFormat& format,
                     const std::vector<RollTrack>& tracks, double bpm) {
  if (cells.empty() || cells.size() % format.cells() != 0)
    throw ConfigError(
        "cells", "not a whole number of phrases of " + std::to_string(format.cells()) + " cells");
  if (tracks.size() != static_cast<std::size_t>(format.tracks))
    throw ConfigError("tracks", "one track description per roll track",
                      std::to_string(format.tracks));
  const int n_phrases = static_cast<int>(cells.size() / format.cells());
  Score score;
  const std::int64_t step_ticks = score.ticks_per_quarter / format.steps_per_quarter();
  score.tempos.push_back({0, static_cast<int>(std::lround(60e6 / bpm))});
  score.time_signatures.push_back({0, 4, 4});
  for (int k = 0; k < format.tracks; ++k) {
    score.tracks.push_back({tracks[k].name});
    const auto sounding = decode_planes(cells, format, n_phrases, k, 0, tracks[k].monophonic);
    const auto onsets = decode_planes(cells, format, n_phrases, k, 1, false);
    const int channel = k < kDrumChannel ? k : k + 1;
    const auto total = static_cast<std::int64_t>(sounding.size());
    for (int p = 0; p < format.pitches(); ++p) {
      const auto pi = static_cast<std::size_t>(p);
      for (std::int64_t g = 0; g < total;) {
        if (!sounding[static_cast<std::size_t>(g)][pi]) {
          ++g;
          continue;
        }
        const std::int64_t start = g++;
        while (g < total && sounding[static_cast<std::size_t>(g)][pi] &&
               !onsets[static_cast<std::size_t>(g)][pi])
          ++g;
        Note note;
        note.pitch = format.pitch_low + p;
        note.velocity = 80;
        note.channel = channel;
        note.program = tracks[k].program;
        note.track = k;
        note.start_ticks = start * step_ticks;
        note.end_ticks = g * step_ticks;
        score.notes.push_back(note);
      }
    }
  }
  score.sort_events();
  score.update_times();
  return score;
}

}  // namespace musegen::data
