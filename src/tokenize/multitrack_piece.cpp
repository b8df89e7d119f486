// Score <-> Piece: parts by (track, channel, program), bars from the time signatures on a step
// grid, notes placed by (bar, position), tempi as metronome marks; and back to a Score with one
// named track, channel and program per part.
#include "tokenize/multitrack_piece.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "music/general_midi.h"
#include "music/parts.h"
#include "tokenize/token_utils.h"

namespace musegen::tokenize {

namespace {

constexpr int kMaxPitchedTracks = 15;  // MIDI channels other than the drum channel

// The first `max_tracks` parts, of them at most 15 pitched; the notes of the rest are counted.
std::vector<NotePart> keep_parts(std::vector<NotePart> parts, int max_tracks, DropCounts* dropped) {
  std::vector<NotePart> kept;
  int pitched = 0;
  for (auto& p : parts) {
    const bool room = static_cast<int>(kept.size()) < max_tracks &&
                      (p.instrument == kDrumInstrument || pitched < kMaxPitchedTracks);
    if (!room) {
      if (dropped)
        (*dropped)["notes of parts beyond the first " + std::to_string(max_tracks) +
                   " (at most 15 pitched)"] += static_cast<std::int64_t>(p.notes.size());
      continue;
    }
    pitched += p.instrument != kDrumInstrument;
    kept.push_back(std::move(p));
  }
  return kept;
}

// Like parts in descending mean pitch of the notes the piece kept (quantising can merge notes
// and move a mean), so that the decoded piece encodes to the same track order.
void order_like_tracks(Piece& piece, std::vector<PartSource>* sources) {
  const std::size_t n = piece.tracks.size();
  std::vector<double> sum(n, 0), count(n, 0);
  for (const auto& note : piece.notes) {
    sum[note.track] += note.pitch;
    count[note.track] += 1;
  }
  std::vector<std::size_t> order(n);
  for (std::size_t t = 0; t < n; ++t) order[t] = t;
  const auto mean = [&](std::size_t t) { return count[t] > 0 ? sum[t] / count[t] : 0.0; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (piece.tracks[a].instrument != piece.tracks[b].instrument)
      return piece.tracks[a].instrument < piece.tracks[b].instrument;
    return mean(a) > mean(b);
  });
  std::vector<int> new_index(n);
  std::vector<PieceTrack> tracks;
  std::vector<PartSource> reordered;
  for (std::size_t i = 0; i < n; ++i) {
    new_index[order[i]] = static_cast<int>(i);
    tracks.push_back(piece.tracks[order[i]]);
    if (sources) reordered.push_back((*sources)[order[i]]);
  }
  piece.tracks = std::move(tracks);
  if (sources) *sources = std::move(reordered);
  for (auto& note : piece.notes) note.track = new_index[note.track];
}

struct SignatureAt {
  std::int64_t step;
  PieceBar bar;
};

// The representable time signatures in step order (later ones at the same step win).
std::vector<SignatureAt> signatures_in_steps(const Score& score, int spq, DropCounts* dropped) {
  std::vector<SignatureAt> out;
  for (const auto& ts : score.time_signatures) {
    if (!representable_time_signature(ts.numerator, ts.denominator, spq)) {
      if (dropped)
        (*dropped)["time signatures longer than " + std::to_string(kMaxBarQuarters) +
                   " quarters or with an unusual denominator (previous one kept)"] += 1;
      continue;
    }
    const std::int64_t step = nearest_grid_point(score, ts.tick, spq);
    if (!out.empty() && out.back().step == step) out.pop_back();
    out.push_back({step, {ts.numerator, ts.denominator}});
  }
  return out;
}

int bar_steps_of(const PieceBar& bar, int spq) {
  return bar.numerator * 4 * spq / bar.denominator;
}

// Bars from step 0 until one holds `last_step`; a signature applies from the first bar line at
// or after its step. Returns the bars and their start steps.
std::pair<std::vector<PieceBar>, std::vector<std::int64_t>> build_bars(
    const std::vector<SignatureAt>& signatures, std::int64_t last_step, int spq) {
  std::vector<PieceBar> bars;
  std::vector<std::int64_t> starts;
  PieceBar current;
  std::size_t next = 0;
  for (std::int64_t start = 0; start <= last_step;) {
    while (next < signatures.size() && signatures[next].step <= start)
      current = signatures[next++].bar;
    bars.push_back(current);
    starts.push_back(start);
    start += bar_steps_of(current, spq);
  }
  return {std::move(bars), std::move(starts)};
}

// (bar, position) of a step, given the bars' start steps (step >= 0, within the bars).
std::pair<int, int> place(const std::vector<std::int64_t>& starts, std::int64_t step) {
  const auto it = std::upper_bound(starts.begin(), starts.end(), step) - 1;
  return {static_cast<int>(it - starts.begin()), static_cast<int>(step - *it)};
}

void add_tempos(const Score& score, Piece& piece, const std::vector<std::int64_t>& starts,
                DropCounts* dropped) {
  const int spq = piece.steps_per_quarter;
  const std::int64_t end = starts.back() + piece.bar_steps(static_cast<int>(starts.size()) - 1);
  piece.tempos.push_back({0, 0, 120});
  for (const auto& t : score.tempos) {
    const std::int64_t step = nearest_grid_point(score, t.tick, spq);
    if (step >= end) {
      if (dropped) (*dropped)["tempo changes after the last bar"] += 1;
      continue;
    }
    const auto [bar, position] = place(starts, step);
    const PieceTempo mark{bar, position, nearest_tempo_mark(t.bpm())};
    if (piece.tempos.back().bar == bar && piece.tempos.back().position == position)
      piece.tempos.back() = mark;
    else if (piece.tempos.back().bpm != mark.bpm)
      piece.tempos.push_back(mark);
  }
}

}  // namespace

int Piece::bar_steps(int bar) const {
  return bar_steps_of(bars.at(static_cast<std::size_t>(bar)), steps_per_quarter);
}

std::int64_t Piece::bar_start_step(int bar) const {
  std::int64_t step = 0;
  for (int b = 0; b < bar; ++b) step += bar_steps(b);
  return step;
}

void Piece::sort() {
  std::stable_sort(notes.begin(), notes.end(), [](const PieceNote& a, const PieceNote& b) {
    return std::tie(a.bar, a.position, a.track, a.pitch) <
           std::tie(b.bar, b.position, b.track, b.pitch);
  });
  std::stable_sort(tempos.begin(), tempos.end(), [](const PieceTempo& a, const PieceTempo& b) {
    return std::tie(a.bar, a.position) < std::tie(b.bar, b.position);
  });
}

const std::vector<int>& tempo_marks() {
  static const std::vector<int> marks = {
      20,  24,  28,  30,  32,  35,  38,  40,  42,  44,  46,  48,  50,  52,  54,  56,  58,  60,
      63,  66,  69,  72,  76,  80,  84,  88,  92,  96,  100, 104, 108, 112, 116, 120, 126, 132,
      138, 144, 152, 160, 168, 176, 184, 192, 200, 208, 224, 240, 256, 272, 288, 320};
  return marks;
}

int nearest_tempo_mark(double bpm) {
  const auto& marks = tempo_marks();
  if (!(bpm > 0) || !std::isfinite(bpm)) return 120;
  int best = marks.front();
  double best_distance = INFINITY;
  for (int m : marks) {
    const double distance = std::abs(std::log(bpm / m));
    if (distance < best_distance) best = m, best_distance = distance;
  }
  return best;
}

bool representable_time_signature(int numerator, int denominator, int steps_per_quarter) {
  if (numerator < 1 || (denominator & (denominator - 1)) != 0 || denominator < 1 ||
      denominator > 16)
    return false;
  const int quarter_units = numerator * 4;  // bar length in quarters x denominator
  return quarter_units <= kMaxBarQuarters * denominator &&
         (quarter_units * steps_per_quarter) % denominator == 0;
}

Piece piece_from_score(const Score& score, const PieceOptions& options, DropCounts* dropped,
                       std::vector<PartSource>* sources) {
  const int spq = options.steps_per_quarter;
  Piece piece;
  piece.steps_per_quarter = spq;
  const auto parts = keep_parts(note_parts(score), options.max_tracks, dropped);
  if (parts.empty()) return piece;
  std::int64_t last_onset = 0;
  if (sources) sources->clear();
  for (const auto& p : parts) {
    piece.tracks.push_back({p.instrument});
    if (sources) sources->push_back({p.track, p.channel, p.program});
    for (const Note* n : p.notes)
      last_onset = std::max(last_onset, nearest_grid_point(score, n->start_ticks, spq));
  }
  auto [bars, starts] = build_bars(signatures_in_steps(score, spq, dropped), last_onset, spq);
  piece.bars = std::move(bars);
  for (std::size_t t = 0; t < parts.size(); ++t)
    for (const Note* n : parts[t].notes) {
      const std::int64_t onset = nearest_grid_point(score, n->start_ticks, spq);
      const std::int64_t end = nearest_grid_point(score, n->end_ticks, spq);
      const auto [bar, position] = place(starts, onset);
      const int bin =
          options.velocity_bins > 0 ? velocity_to_bin(n->velocity, options.velocity_bins) : 0;
      const auto duration = static_cast<int>(std::clamp<std::int64_t>(end - onset, 1, 1 << 24));
      piece.notes.push_back({bar, position, static_cast<int>(t), n->pitch, duration, bin});
    }
  // One key struck once per track and onset: keep the longest (the first of equals).
  std::stable_sort(piece.notes.begin(), piece.notes.end(),
                   [](const PieceNote& a, const PieceNote& b) {
                     return std::tie(a.bar, a.position, a.track, a.pitch, b.duration) <
                            std::tie(b.bar, b.position, b.track, b.pitch, a.duration);
                   });
  const std::size_t before = piece.notes.size();
  piece.notes.erase(std::unique(piece.notes.begin(), piece.notes.end(),
                                [](const PieceNote& a, const PieceNote& b) {
                                  return a.bar == b.bar && a.position == b.position &&
                                         a.track == b.track && a.pitch == b.pitch;
                                }),
                    piece.notes.end());
  if (dropped && piece.notes.size() < before)
    (*dropped)["notes of one pitch and track quantised onto one onset (longest kept)"] +=
        static_cast<std::int64_t>(before - piece.notes.size());
  order_like_tracks(piece, sources);
  piece.sort();
  add_tempos(score, piece, starts, dropped);
  return piece;
}

Piece bar_range(const Piece& piece, int first_bar, int end_bar) {
  const int n_bars = static_cast<int>(piece.bars.size());
  first_bar = std::clamp(first_bar, 0, n_bars);
  end_bar = std::clamp(end_bar, first_bar, n_bars);
  Piece out;
  out.steps_per_quarter = piece.steps_per_quarter;
  out.tracks = piece.tracks;
  out.bars.assign(piece.bars.begin() + first_bar, piece.bars.begin() + end_bar);
  if (out.bars.empty()) return out;
  int bpm = 120;
  for (const auto& t : piece.tempos) {
    if (t.bar < first_bar || (t.bar == first_bar && t.position == 0)) bpm = t.bpm;
    if (t.bar >= first_bar && t.bar < end_bar && (t.bar != first_bar || t.position != 0))
      out.tempos.push_back({t.bar - first_bar, t.position, t.bpm});
  }
  out.tempos.insert(out.tempos.begin(), PieceTempo{0, 0, bpm});
  for (const auto& n : piece.notes)
    if (n.bar >= first_bar && n.bar < end_bar) {
      PieceNote moved = n;
      moved.bar -= first_bar;
      out.notes.push_back(moved);
    }
  return out;
}

std::string instrument_name(int instrument) {
  return gm_instrument_name(instrument);
}

std::vector<std::string> track_names(const std::vector<PieceTrack>& tracks,
                                     const PartNames& part_names) {
  std::map<int, int> total, seen;
  for (const auto& t : tracks) ++total[t.instrument];
  std::vector<std::string> names;
  for (const auto& t : tracks) {
    const auto k = static_cast<std::size_t>(seen[t.instrument]++);
    const auto given = part_names.find(t.instrument);
    if (given != part_names.end() && k < given->second.size()) {
      names.push_back(given->second[k]);
      continue;
    }
    std::string name = instrument_name(t.instrument);
    if (total[t.instrument] > 1) name.append(" ").append(std::to_string(k + 1));
    names.push_back(name);
  }
  return names;
}

Score score_from_piece(const Piece& piece, int velocity_bins, const PartNames& part_names) {
  Score score = decoded_score(decoded_ticks_per_quarter(piece.steps_per_quarter), "");
  score.tracks.clear();
  const std::int64_t ticks_per_step = score.ticks_per_quarter / piece.steps_per_quarter;
  std::vector<int> channels;
  int next_channel = 0;
  const auto names = track_names(piece.tracks, part_names);
  for (std::size_t t = 0; t < piece.tracks.size(); ++t) {
    score.tracks.push_back({names[t]});
    if (piece.tracks[t].is_drum()) {
      channels.push_back(kDrumChannel);
      continue;
    }
    if (next_channel == kDrumChannel) ++next_channel;
    channels.push_back(next_channel % 16);
    ++next_channel;
  }
  std::vector<std::int64_t> bar_ticks(piece.bars.size() + 1, 0);
  for (std::size_t b = 0; b < piece.bars.size(); ++b) {
    bar_ticks[b + 1] = bar_ticks[b] + piece.bar_steps(static_cast<int>(b)) * ticks_per_step;
    if (b == 0 || piece.bars[b] != piece.bars[b - 1])
      score.time_signatures.push_back(
          {bar_ticks[b], piece.bars[b].numerator, piece.bars[b].denominator});
  }
  auto tick_of = [&](int bar, int position) {
    return bar_ticks[static_cast<std::size_t>(bar)] + position * ticks_per_step;
  };
  score.tempos.clear();
  for (const auto& t : piece.tempos)
    score.tempos.push_back(
        {tick_of(t.bar, t.position), static_cast<int>(std::lround(60e6 / t.bpm))});
  if (score.tempos.empty() || score.tempos.front().tick != 0)
    score.tempos.insert(score.tempos.begin(), TempoChange{0, 500000});
  for (const auto& pn : piece.notes) {
    const PieceTrack& track = piece.tracks[static_cast<std::size_t>(pn.track)];
    Note n;
    n.pitch = pn.pitch;
    n.velocity = pn.velocity_bin > 0 ? bin_to_middle_velocity(pn.velocity_bin, velocity_bins) : 80;
    n.channel = channels[static_cast<std::size_t>(pn.track)];
    n.program = track.is_drum() ? 0 : track.instrument;
    n.track = pn.track;
    n.start_ticks = tick_of(pn.bar, pn.position);
    n.end_ticks = n.start_ticks + std::int64_t{pn.duration} * ticks_per_step;
    score.notes.push_back(n);
  }
  score.sort_events();
  score.update_times();
  return score;
}

}  // namespace musegen::tokenize
