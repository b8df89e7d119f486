// build_notation: parts and staves, the measure map and keys, then per staff quantisation,
// voices, written rhythm and spelling. notated_notes: the notes a player of it plays.
#include "score/notation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/errors.h"
#include "score/drums.h"
#include "score/meter.h"
#include "score/parts.h"
#include "score/quantize.h"
#include "score/rhythm.h"
#include "score/spelling.h"
#include "score/voices.h"

namespace musegen::score {

namespace {

// Keys per measure: the file's signatures (one inside a measure starts at the next bar line;
// the first holds from the start), else the estimated key everywhere.
void assign_keys(const Score& score, bool estimate, Notation& n) {
  std::vector<std::pair<std::size_t, KeySignature>> changes;
  if (!estimate) {
    for (const auto& ks : score.key_signatures) {
      const double pos = divisions_at(score, ks.tick, n.divisions);
      std::size_t m = measure_at(n.measures, static_cast<std::int64_t>(std::ceil(pos)));
      if (pos > static_cast<double>(n.measures[m].start) && m + 1 < n.measures.size()) ++m;
      KeySignature key = ks;
      key.sharps = std::clamp(key.sharps, -7, 7);
      changes.emplace_back(changes.empty() ? 0 : m, key);
    }
  }
  if (changes.empty()) {
    changes.emplace_back(0, estimate_key(pitch_class_weights(score)));
    n.stats.key_estimated = true;
  }
  std::size_t next = 0;
  KeySignature key = changes.front().second;
  for (std::size_t m = 0; m < n.measures.size(); ++m) {
    for (; next < changes.size() && changes[next].first <= m; ++next) key = changes[next].second;
    n.measures[m].key = key;
    n.measures[m].key_change = m == 0 || key.sharps != n.measures[m - 1].key.sharps ||
                               key.minor != n.measures[m - 1].key.minor;
  }
}

// Drum strokes have no written length: each lasts to the staff's next onset, at most a quarter
// (the last one at most to its bar line).
void drum_lengths(std::vector<GridNote>& notes, const std::vector<MeasureInfo>& measures,
                  int divisions) {
  std::int64_t next_onset = -1;
  for (std::size_t k = notes.size(); k-- > 0;) {
    std::int64_t limit = notes[k].start + divisions;
    if (next_onset < 0) {
      const MeasureInfo& m = measures[measure_at(measures, notes[k].start)];
      limit = std::min(limit, std::max(m.start + m.length, notes[k].start + 1));
    }
    notes[k].end = next_onset > notes[k].start ? std::min(next_onset, limit) : limit;
    if (k > 0 && notes[k - 1].start != notes[k].start) next_onset = notes[k].start;
  }
}

struct StaffPlan {
  std::vector<GridNote> notes;
  std::vector<MeasureGrid> grids;
};

StaffPlan quantize_staff(const Score& score, const std::vector<std::size_t>& indices, bool drums,
                         const Notation& n, const NotationOptions& options, NotationStats& stats) {
  StaffPlan staff;
  for (const auto& m : n.measures) staff.grids.emplace_back(m, n.divisions);
  std::vector<SourceNote> sources;
  sources.reserve(indices.size());
  for (std::size_t i : indices) {
    const Note& note = score.notes[i];
    sources.push_back({divisions_at(score, note.start_ticks, n.divisions),
                       divisions_at(score, note.end_ticks, n.divisions), note.pitch,
                       note.velocity});
  }
  staff.notes = quantize(sources, n.measures, staff.grids, options.triplets && !drums, stats);
  if (drums) drum_lengths(staff.notes, n.measures, n.divisions);
  return staff;
}

// One key sounds once at a time on a keyboard, whatever the staff: of two notes of a pitch that
// overlap on different staves of a part, one starting with the other goes (the shorter), a later
// one cuts the earlier (which goes when nothing of it is left on its grid).
void resolve_cross_staff_unisons(std::vector<StaffPlan>& staves,
                                 const std::vector<MeasureInfo>& measures, NotationStats& stats) {
  if (staves.size() < 2) return;
  std::vector<std::tuple<std::int64_t, int, std::int64_t, std::size_t, std::size_t>> order;
  for (std::size_t s = 0; s < staves.size(); ++s)
    for (std::size_t i = 0; i < staves[s].notes.size(); ++i) {
      const GridNote& g = staves[s].notes[i];
      order.emplace_back(g.start, g.pitch, -g.end, s, i);  // longest first at one onset
    }
  std::sort(order.begin(), order.end());
  std::vector<std::pair<std::size_t, std::size_t>> last(128, {staves.size(), 0});
  for (const auto& [start, pitch, neg_end, s, i] : order) {
    auto& [ps, pi] = last[static_cast<std::size_t>(pitch & 127)];
    if (ps < staves.size()) {
      GridNote& prev = staves[ps].notes[pi];
      if (prev.start == start) {
        staves[s].notes[i].end = staves[s].notes[i].start;  // dropped below
        ++stats.n_merged;
        continue;
      }
      if (prev.end > start) {  // cut on the earlier note's own grid (its staff's may differ)
        prev.end = grid_floor(measures, staves[ps].grids, start);
        ++stats.n_shortened;
        if (prev.end <= prev.start) ++stats.n_merged;
      }
    }
    last[static_cast<std::size_t>(pitch & 127)] = {s, i};
  }
  for (auto& staff : staves)
    std::erase_if(staff.notes, [](const GridNote& g) { return g.end <= g.start; });
}

// The chords of one voice cut at bar lines, as pieces per measure.
std::vector<std::vector<ChordPiece>> pieces_by_measure(const std::vector<Chord>& chords,
                                                       const std::vector<MeasureInfo>& measures) {
  std::vector<std::vector<ChordPiece>> pieces(measures.size());
  for (const Chord& c : chords) {
    for (std::size_t m = measure_at(measures, c.start); m < measures.size(); ++m) {
      const std::int64_t ms = measures[m].start, me = ms + measures[m].length;
      if (ms >= c.end) break;
      const std::int64_t s = std::max(c.start, ms), e = std::min(c.end, me);
      pieces[m].push_back({s - ms, e - ms, &c, s > c.start, e < c.end});
    }
  }
  return pieces;
}

// Names every head: drums by their place on the staff; pitches by a Speller running through
// the part in time order, a tied-over head keeping the name of the head it continues.
void spell_heads(Part& part, const Notation& n) {
  Speller speller(n.measures.front().key);
  std::map<std::tuple<std::size_t, int, int>, Spelling> tied;  // (staff, voice, pitch)
  for (std::size_t m = 0; m < part.measures.size(); ++m) {
    if (n.measures[m].key_change) speller.set_key(n.measures[m].key);
    std::vector<std::tuple<std::int64_t, std::size_t, int, Head*>> heads;
    for (std::size_t s = 0; s < part.measures[m].staves.size(); ++s)
      for (Voice& voice : part.measures[m].staves[s].voices)
        for (Item& item : voice.items)
          for (Head& head : item.heads) heads.emplace_back(item.start, s, voice.number, &head);
    std::stable_sort(heads.begin(), heads.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    for (auto& [start, staff, voice, head] : heads) {
      const auto key = std::make_tuple(staff, voice, head->pitch);
      const auto it = tied.find(key);
      head->spelling = part.drums                           ? drum_placement(head->pitch).display
                       : head->tie_stop && it != tied.end() ? it->second
                                                            : speller.spell(head->pitch);
      if (head->tie_start) tied[key] = head->spelling;
    }
    if (!part.drums)
      for (StaffMeasure& staff : part.measures[m].staves)
        mark_accidentals(staff, n.measures[m].key);
  }
}

// Writes the staves' voices into the part's measures.
void lay_out(const std::vector<StaffPlan>& staves, Part& part, const Notation& n,
             NotationStats& stats) {
  part.measures.assign(n.measures.size(), PartMeasure{});
  for (auto& pm : part.measures) pm.staves.resize(staves.size());
  std::vector<std::vector<std::int64_t>> onsets_by_pitch(128);
  for (const auto& staff : staves)
    for (const auto& note : staff.notes)
      onsets_by_pitch[static_cast<std::size_t>(note.pitch & 127)].push_back(note.start);
  for (auto& onsets : onsets_by_pitch) std::sort(onsets.begin(), onsets.end());
  for (std::size_t s = 0; s < staves.size(); ++s) {
    auto v = assign_voices(staves[s].notes, stats);
    for (auto& voice : v)
      hold_over_silences(voice, onsets_by_pitch, n.measures, staves[s].grids, stats);
    const auto first = pieces_by_measure(v[0], n.measures);
    const auto second = pieces_by_measure(v[1], n.measures);
    for (std::size_t m = 0; m < n.measures.size(); ++m) {
      auto& staff = part.measures[m].staves[s];
      staff.voices.push_back({1, voice_items(first[m], staves[s].grids[m])});
      if (!second[m].empty())
        staff.voices.push_back({2, voice_items(second[m], staves[s].grids[m])});
    }
  }
}

std::int64_t last_end(const std::vector<std::vector<StaffPlan>>& parts) {
  std::int64_t end = 0;
  for (const auto& part : parts)
    for (const auto& staff : part)
      for (const auto& note : staff.notes) end = std::max(end, note.end);
  return end;
}

Part make_part(const PartPlan& plan, const std::vector<StaffPlan>& staves, Notation& n) {
  Part part;
  part.name = plan.name;
  part.program = plan.program;
  part.channel = plan.channel;
  part.drums = plan.drums;
  lay_out(staves, part, n, n.stats);
  for (std::size_t s = 0; s < staves.size(); ++s) {
    std::vector<int> pitches;
    for (const auto& note : staves[s].notes) pitches.push_back(note.pitch);
    part.clefs.push_back(part.drums ? Clef::percussion
                                    : choose_clef(pitches, plan.keyboard, s == 1, part.program));
    if (part.drums) part.drum_keys.insert(part.drum_keys.end(), pitches.begin(), pitches.end());
  }
  std::sort(part.drum_keys.begin(), part.drum_keys.end());
  part.drum_keys.erase(std::unique(part.drum_keys.begin(), part.drum_keys.end()),
                       part.drum_keys.end());
  spell_heads(part, n);
  return part;
}

}  // namespace

Notation build_notation(const Score& score, const NotationOptions& options) {
  if (options.split_pitch && (*options.split_pitch < 0 || *options.split_pitch > 127))
    throw ConfigError("split_pitch", std::to_string(*options.split_pitch) + " is not a MIDI pitch",
                      "0..127");
  Notation n;
  n.title = options.title;
  n.divisions = divisions_for(score);
  n.stats.n_notes_in = score.notes.size();
  double end = 0;
  for (const Note& note : score.notes)
    end = std::max(end, divisions_at(score, note.end_ticks, n.divisions));
  // A margin of a bar: a note that collapsed to nothing at the very end gets one step.
  n.measures =
      measure_map(score, n.divisions, static_cast<std::int64_t>(std::ceil(end)) + 4 * n.divisions);
  const std::vector<PartPlan> plans = plan_parts(score, options.split_pitch);
  std::vector<std::vector<StaffPlan>> staves(plans.size());
  for (std::size_t p = 0; p < plans.size(); ++p)
    for (const auto& indices : plans[p].staff_notes)
      staves[p].push_back(quantize_staff(score, indices, plans[p].drums, n, options, n.stats));
  for (auto& part_staves : staves) resolve_cross_staff_unisons(part_staves, n.measures, n.stats);
  const std::int64_t music_end = last_end(staves);
  while (n.measures.size() > 1 && n.measures.back().start >= music_end) n.measures.pop_back();
  assign_keys(score, options.estimate_key, n);
  for (std::size_t p = 0; p < plans.size(); ++p)
    n.parts.push_back(make_part(plans[p], staves[p], n));
  n.stats.n_notes = notated_notes(n).size();
  return n;
}

std::vector<NotatedNote> notated_notes(const Notation& n) {
  std::vector<NotatedNote> out;
  for (std::size_t p = 0; p < n.parts.size(); ++p) {
    // Open (tied-on) notes by (staff, voice, pitch): index into `out`.
    std::map<std::tuple<std::size_t, int, int>, std::size_t> open;
    const Part& part = n.parts[p];
    for (std::size_t m = 0; m < part.measures.size() && m < n.measures.size(); ++m) {
      const std::int64_t base = n.measures[m].start;
      for (std::size_t s = 0; s < part.measures[m].staves.size(); ++s) {
        for (const Voice& voice : part.measures[m].staves[s].voices) {
          for (const Item& item : voice.items) {
            for (const Head& head : item.heads) {
              const auto key = std::make_tuple(s, voice.number, head.pitch);
              const auto it = open.find(key);
              const std::int64_t start = base + item.start, end = start + item.duration;
              std::size_t at;
              if (head.tie_stop && it != open.end() && out[it->second].end == start) {
                at = it->second;
                out[at].end = end;
              } else {
                at = out.size();
                out.push_back({static_cast<int>(p), head.pitch, start, end, head.velocity});
              }
              if (head.tie_start)
                open[key] = at;
              else if (it != open.end())
                open.erase(it);
            }
          }
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const NotatedNote& a, const NotatedNote& b) {
    return std::tie(a.start, a.part, a.pitch, a.end) < std::tie(b.start, b.part, b.pitch, b.end);
  });
  return out;
}

double quarters_of(NoteType type, int dots, bool triplet) {
  static constexpr double kQuarters[] = {4, 2, 1, 0.5, 0.25, 0.125};
  double q = kQuarters[static_cast<int>(type)];
  if (dots > 0) q *= 1.5;
  return triplet ? q * 2 / 3 : q;
}

}  // namespace musegen::score
