// Splitting spans at metrical positions into written values, tuplets and beams.
#include "score/rhythm.h"

#include <climits>
#include <string>

#include "core/errors.h"

namespace musegen::score {

namespace {

// True when a multiple of `step` lies strictly inside (s, e).
bool crosses(std::int64_t s, std::int64_t e, std::int64_t step) {
  return step > 0 && (s / step + 1) * step < e;
}

// Spans touching a triplet cell must lie inside it (thirds, or the whole cell) or cover it.
std::optional<bool> triplet_rule(const MeasureGrid& g, std::int64_t s, std::int64_t e, bool rest) {
  const std::int64_t cs = g.triplet_cell_start(s), ce = g.triplet_cell_start(e - 1);
  if (cs < 0 && ce < 0) return std::nullopt;
  const std::int64_t len = e - s, third = g.cell() / 3;
  if (cs >= 0 && cs == ce) {
    if (len == g.cell()) return true;
    if (len != third && len != 2 * third) return false;
    return !rest || len == third || s == cs;
  }
  if ((cs >= 0 && s != cs) || (ce >= 0 && e != ce + g.cell())) return false;
  return std::nullopt;
}

// The syncopations players read at sight in simple meters: a beat-long note starting half a
// beat in (eighth-quarter-eighth), two beats starting on the second beat of a bar of four
// (quarter-half-quarter).
bool syncopation(const MeasureGrid& g, std::int64_t s, std::int64_t e) {
  const std::int64_t beat = g.beat(), len = e - s;
  if (len == beat && s % (beat / 2) == 0 && s % beat != 0) return !crosses(s, e, g.group());
  return g.group() > 0 && s == beat && len == 2 * beat;
}

// A dotted beat starting on a beat (dotted quarter and eighth), within its half bar.
bool dotted_beat(const MeasureGrid& g, std::int64_t s, std::int64_t e) {
  const std::int64_t beat = g.beat();
  return s % beat == 0 && 2 * (e - s) == 3 * beat && !crosses(s, e, g.group());
}

bool representable(const MeasureGrid& g, std::int64_t s, std::int64_t e, bool rest) {
  if (auto triplet = triplet_rule(g, s, e, rest)) return *triplet;
  const auto value = value_of(e - s, g.divisions());
  if (!value) return false;
  const std::int64_t beat = g.beat();
  if (crosses(s, e, beat)) {
    if (!rest && !g.compound() && (syncopation(g, s, e) || dotted_beat(g, s, e))) return true;
    if (s % beat != 0 || (e % beat != 0 && e != g.length())) return false;
    if (crosses(s, e, g.group()) && s % g.group() != 0) return false;
    return !rest || g.compound() || value->dots == 0;
  }
  if (!rest || s % beat == 0) return true;
  return value->dots == 0 && !crosses(s, e, g.compound() ? beat / 3 : beat / 2);
}

void split(const MeasureGrid& g, std::int64_t s, std::int64_t e, bool rest,
           std::vector<std::pair<std::int64_t, std::int64_t>>& out) {
  if (e <= s) return;
  if (e - s == 1 || representable(g, s, e, rest)) {
    out.emplace_back(s, e);
    return;
  }
  int best = INT_MAX;
  for (std::int64_t p = s + 1; p < e; ++p) best = std::min(best, g.level(p));
  std::int64_t first = -1, last_whole = -1;
  for (std::int64_t p = s + 1; p < e; ++p) {
    if (g.level(p) != best) continue;
    if (first < 0) first = p;
    if (representable(g, s, p, rest)) last_whole = p;
  }
  const std::int64_t at = last_whole >= 0 ? last_whole : first;
  split(g, s, at, rest, out);
  split(g, at, e, rest, out);
}

Item item_of(const MeasureGrid& g, std::int64_t s, std::int64_t e) {
  Item item;
  item.start = s;
  item.duration = e - s;
  const std::int64_t cell = g.triplet_cell_start(s);
  item.triplet = cell >= 0 && e <= cell + g.cell() && item.duration != g.cell();
  const auto value = value_of(item.triplet ? item.duration * 3 / 2 : item.duration, g.divisions());
  if (!value)
    throw Error("notation: no written value for " + std::to_string(item.duration) + " of " +
                std::to_string(g.divisions()) + " divisions per quarter");
  item.type = value->type;
  item.dots = value->dots;
  return item;
}

void add_rests(const MeasureGrid& g, std::int64_t s, std::int64_t e, std::vector<Item>& items) {
  for (const auto& [a, b] : split_span(g, s, e, true)) items.push_back(item_of(g, a, b));
}

void add_chord(const MeasureGrid& g, const ChordPiece& piece, std::vector<Item>& items) {
  const auto spans = split_span(g, piece.start, piece.end, false);
  for (std::size_t k = 0; k < spans.size(); ++k) {
    Item item = item_of(g, spans[k].first, spans[k].second);
    for (std::size_t h = 0; h < piece.chord->pitches.size(); ++h) {
      Head head;
      head.pitch = piece.chord->pitches[h];
      head.velocity = piece.chord->velocities[h];
      head.tie_stop = k > 0 || piece.tied_in;
      head.tie_start = k + 1 < spans.size() || piece.tied_out;
      item.heads.push_back(head);
    }
    items.push_back(std::move(item));
  }
}

void mark_tuplets(const MeasureGrid& g, std::vector<Item>& items) {
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (!items[k].triplet) continue;
    const std::int64_t cell = g.triplet_cell_start(items[k].start);
    items[k].tuplet_start =
        k == 0 || !items[k - 1].triplet || g.triplet_cell_start(items[k - 1].start) != cell;
    items[k].tuplet_stop = k + 1 == items.size() || !items[k + 1].triplet ||
                           g.triplet_cell_start(items[k + 1].start) != cell;
  }
}

int beam_count(const Item& item) {
  if (item.is_rest()) return 0;
  switch (item.type) {
    case NoteType::eighth:
      return 1;
    case NoteType::n16th:
      return 2;
    case NoteType::n32nd:
      return 3;
    default:
      return 0;
  }
}

void beam_run(std::vector<Item>& items, std::size_t from, std::size_t to) {
  for (std::size_t k = from; k < to; ++k) {
    Item& item = items[k];
    item.beams[0] = k == from ? Beam::begin : k + 1 == to ? Beam::end : Beam::continue_;
    for (int level = 2; level <= beam_count(item); ++level) {
      const bool prev = k > from && beam_count(items[k - 1]) >= level;
      const bool next = k + 1 < to && beam_count(items[k + 1]) >= level;
      item.beams[level - 1] = prev && next ? Beam::continue_
                              : prev       ? Beam::end
                              : next       ? Beam::begin
                              : k == from  ? Beam::forward_hook
                                           : Beam::backward_hook;
    }
  }
}

// Consecutive eighths and shorter notes of one beam group share beams.
void beam(const MeasureGrid& g, std::vector<Item>& items) {
  const std::int64_t group = g.beam_group();
  for (std::size_t k = 0; k < items.size();) {
    std::size_t end = k;
    while (end < items.size() && beam_count(items[end]) > 0 &&
           items[end].start / group == items[k].start / group &&
           (items[end].start + items[end].duration - 1) / group == items[k].start / group)
      ++end;
    if (end - k >= 2) beam_run(items, k, end);
    k = end > k ? end : k + 1;
  }
}

}  // namespace

std::optional<Value> value_of(std::int64_t length, int divisions) {
  static constexpr NoteType kTypes[] = {NoteType::whole,  NoteType::half,  NoteType::quarter,
                                        NoteType::eighth, NoteType::n16th, NoteType::n32nd};
  const std::int64_t whole = std::int64_t{4} * divisions;
  for (int i = 0; i < 6 && whole % (std::int64_t{1} << i) == 0; ++i) {
    const std::int64_t base = whole >> i;
    if (length == base) return Value{kTypes[i], 0};
    if (base % 2 == 0 && length == base + base / 2) return Value{kTypes[i], 1};
  }
  return std::nullopt;
}

std::vector<std::pair<std::int64_t, std::int64_t>> split_span(const MeasureGrid& grid,
                                                              std::int64_t start, std::int64_t end,
                                                              bool rest) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  split(grid, start, end, rest, out);
  return out;
}

std::vector<Item> voice_items(std::span<const ChordPiece> pieces, const MeasureGrid& grid) {
  std::vector<Item> items;
  if (pieces.empty()) {
    Item rest;
    rest.duration = grid.length();
    rest.measure_rest = true;
    rest.type = NoteType::whole;
    items.push_back(rest);
    return items;
  }
  std::int64_t pos = 0;
  for (const ChordPiece& piece : pieces) {
    add_rests(grid, pos, piece.start, items);
    add_chord(grid, piece, items);
    pos = piece.end;
  }
  add_rests(grid, pos, grid.length(), items);
  mark_tuplets(grid, items);
  beam(grid, items);
  return items;
}

}  // namespace musegen::score
