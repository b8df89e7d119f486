// Piano-roll SVG: layout (sized to the piece, scaled to a maximum width), then the document in
// layers: background and black-key rows, grid, pitch labels, legend and title, notes.
#include "music/piano_roll_svg.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

#include "core/decimal.h"
#include "core/errors.h"
#include "core/file_io.h"
#include "music/general_midi.h"

namespace musegen {

namespace {

constexpr double kLeftPx = 44, kRightPx = 16, kBottomPx = 22, kTopPadPx = 10;
constexpr double kTitlePx = 26, kLegendRowPx = 18;
constexpr double kLegendCharPx = 6.5, kLegendSwatchPx = 18, kLegendGapPx = 14;
constexpr std::array<const char*, 10> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                  "#bcbd22", "#17becf"};

std::string num(double v) {
  const std::string s = short_decimal(v, 3);
  return s == "-0" ? "0" : s;
}

// Appends one code point as UTF-8.
void put_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the valid UTF-8 sequence at s[i] (2..4 bytes), or 0 when there is none.
std::size_t utf8_sequence(const std::string& s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (n == 0 || b >= 0xF5 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x80) {
      if (std::size_t n = utf8_sequence(text, i)) {
        out.append(text, i, n);
        i += n;
      } else {
        put_utf8(out, b);
        ++i;
      }
      continue;
    }
    ++i;
    switch (b) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (b >= 0x20 || b == '\t') out += static_cast<char>(b);
    }
  }
  return out;
}

namespace {

struct LegendEntry {
  std::pair<int, int> key;  // (track, channel)
  std::string label;
  const char* colour;
};

// One entry per (track, channel) that has notes, in track then channel order, so that a part
// keeps its colour from piece to piece whichever part starts first.
std::vector<LegendEntry> legend_of(const Score& score) {
  std::map<std::pair<int, int>, const Note*> first;  // sorted by (track, channel)
  for (const auto& n : score.notes) first.emplace(std::pair<int, int>{n.track, n.channel}, &n);
  std::vector<LegendEntry> out;
  for (const auto& [key, n] : first) {
    std::string name = n->track >= 0 && n->track < static_cast<int>(score.tracks.size())
                           ? score.tracks[n->track].name
                           : "";
    if (name.empty()) name = "track " + std::to_string(n->track);
    name += ", ch " + std::to_string(n->channel + 1) + ", ";
    name += n->is_drum() ? "drums" : gm_program_name(n->program);
    out.push_back({key, name, kPalette[out.size() % kPalette.size()]});
  }
  return out;
}

double legend_entry_width(const LegendEntry& e) {
  return kLegendSwatchPx + kLegendCharPx * static_cast<double>(e.label.size()) + kLegendGapPx;
}

// Legend entries wrapped into rows no wider than `width`: the row of each entry.
std::vector<int> legend_rows(const std::vector<LegendEntry>& legend, double width) {
  std::vector<int> rows;
  double x = kLeftPx;
  int row = 0;
  for (const auto& e : legend) {
    if (x > kLeftPx && x + legend_entry_width(e) > width - kRightPx) ++row, x = kLeftPx;
    rows.push_back(row);
    x += legend_entry_width(e);
  }
  return rows;
}

void check_options(const PianoRollOptions& o) {
  auto check = [](double v, double lo, double hi, const char* key) {
    if (!std::isfinite(v) || v < lo || v > hi)
      throw ConfigError(key, "got " + num(v), num(lo) + ".." + num(hi));
  };
  check(o.px_per_unit, 0.01, 10000, "px_per_unit");
  check(o.max_width_px, 100, 100000, "max_width_px");
  check(o.row_height_px, 1, 100, "row_height_px");
}

double units_of_ticks(const Score& score, std::int64_t tick, bool seconds) {
  return seconds ? score.ticks_to_seconds(tick) : score.ticks_to_beats(tick);
}

std::int64_t ticks_of_beats(const Score& score, double beats) {
  if (score.smpte_ticks_per_sec > 0) return std::llround(beats / 2 * score.smpte_ticks_per_sec);
  return std::llround(beats * score.ticks_per_quarter);
}

}  // namespace

PianoRollLayout piano_roll_layout(const Score& score, const PianoRollOptions& options) {
  check_options(options);
  PianoRollLayout l;
  int lo = 60, hi = 72;
  if (!score.notes.empty()) {
    lo = 127, hi = 0;
    for (const auto& n : score.notes) lo = std::min(lo, n.pitch), hi = std::max(hi, n.pitch);
  }
  l.lowest_pitch = std::max(0, lo - 1);
  l.highest_pitch = std::min(127, hi + 1);
  l.duration_units =
      std::max(1.0, units_of_ticks(score, score.end_ticks(), options.time_in_seconds));
  l.left_px = kLeftPx;
  l.row_height_px = options.row_height_px;
  l.px_per_unit =
      std::min(options.px_per_unit, (options.max_width_px - kLeftPx - kRightPx) / l.duration_units);
  l.width_px = kLeftPx + l.duration_units * l.px_per_unit + kRightPx;
  const auto legend = legend_of(score);
  const auto rows = legend_rows(legend, l.width_px);
  l.top_px = kTopPadPx + (options.title.empty() ? 0 : kTitlePx) +
             (rows.empty() ? 0 : (rows.back() + 1) * kLegendRowPx);
  l.height_px = l.top_px + (l.highest_pitch - l.lowest_pitch + 1) * l.row_height_px + kBottomPx;
  return l;
}

namespace {

void add_rows(std::string& svg, const PianoRollLayout& l) {
  svg += "<g class=\"keys\" fill=\"#eeeeee\">\n";
  for (int p = l.lowest_pitch; p <= l.highest_pitch; ++p) {
    const int pc = p % 12;
    if (pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10)
      svg += "<rect x=\"" + num(l.left_px) + "\" y=\"" + num(l.y(p)) + "\" width=\"" +
             num(l.duration_units * l.px_per_unit) + "\" height=\"" + num(l.row_height_px) +
             "\"/>\n";
  }
  svg += "</g>\n";
}

void add_vertical_line(std::string& svg, const PianoRollLayout& l, double x, const char* stroke) {
  svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(l.top_px) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(l.y(l.lowest_pitch) + l.row_height_px) + "\" stroke=\"" + stroke + "\"/>\n";
}

// Bar starts in quarter notes up to `end_beats`: 4/4 until the first time signature; a
// signature change starts a new bar where it stands.
std::vector<double> bar_starts_beats(const Score& score, double end_beats) {
  const auto& signatures = score.time_signatures;
  std::vector<double> out;
  double at = 0, length = 4;
  std::size_t next = 0;
  while (at <= end_beats + 1e-9 && out.size() < 1000000) {
    for (; next < signatures.size() && score.ticks_to_beats(signatures[next].tick) <= at + 1e-9;
         ++next)
      length = std::max(
          0.125, 4.0 * signatures[next].numerator / std::max(1, signatures[next].denominator));
    out.push_back(at);
    double step = at + length;
    if (next < signatures.size())
      step = std::min(step, score.ticks_to_beats(signatures[next].tick));
    at = step;
  }
  return out;
}

// Beat lines (when they are at least 4 px apart on average) and bar lines (at least 3 px
// apart), with bar numbers where there is room.
void add_grid(std::string& svg, const Score& score, const PianoRollLayout& l, bool seconds) {
  svg += "<g class=\"grid\" stroke-width=\"1\">\n";
  const double end_beats = std::max(score.duration_beats(), 1.0);
  auto x_of_beats = [&](double b) {
    return l.x(units_of_ticks(score, ticks_of_beats(score, b), seconds));
  };
  if ((x_of_beats(end_beats) - l.left_px) / end_beats >= 4)
    for (double b = 0; b <= end_beats + 1e-9; b += 1)
      add_vertical_line(svg, l, x_of_beats(b), "#dddddd");
  const std::vector<double> bars = bar_starts_beats(score, end_beats);
  double last_line_x = -1e9, last_label_x = -1e9;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double x = x_of_beats(bars[i]);
    if (x - last_line_x < 3) continue;
    add_vertical_line(svg, l, x, "#999999");
    last_line_x = x;
    if (x - last_label_x >= 28 && bars[i] < end_beats - 1e-9) {
      svg += "<text x=\"" + num(x + 2) + "\" y=\"" + num(l.height_px - 7) +
             "\" font-size=\"10\" fill=\"#666666\">" + std::to_string(i + 1) + "</text>\n";
      last_label_x = x;
    }
  }
  svg += "</g>\n";
}

void add_pitch_labels(std::string& svg, const PianoRollLayout& l) {
  const double font = std::clamp(l.row_height_px * 1.6, 7.0, 11.0);
  svg += "<g class=\"pitches\" font-size=\"" + num(font) + "\" fill=\"#444444\">\n";
  for (int p = l.lowest_pitch; p <= l.highest_pitch; ++p) {
    if (p % 12 != 0) continue;
    const double bottom = l.y(p) + l.row_height_px;
    svg += "<line x1=\"" + num(l.left_px) + "\" y1=\"" + num(bottom) + "\" x2=\"" +
           num(l.width_px - kRightPx) + "\" y2=\"" + num(bottom) + "\" stroke=\"#bbbbbb\"/>\n";
    svg += "<text x=\"" + num(l.left_px - 4) + "\" y=\"" + num(bottom) + "\" text-anchor=\"end\">" +
           pitch_name(p) + "</text>\n";
  }
  svg += "</g>\n";
}

void add_title_and_legend(std::string& svg, const Score& score, const PianoRollLayout& l,
                          const std::string& title) {
  double y = kTopPadPx;
  if (!title.empty()) {
    svg += "<text class=\"title\" x=\"" + num(kLeftPx) + "\" y=\"" + num(y + 16) +
           "\" font-size=\"16\" font-weight=\"bold\">" + xml_escape(title) + "</text>\n";
    y += kTitlePx;
  }
  const auto legend = legend_of(score);
  const auto rows = legend_rows(legend, l.width_px);
  svg += "<g class=\"legend\" font-size=\"11\">\n";
  double x = kLeftPx;
  for (std::size_t i = 0; i < legend.size(); ++i) {
    if (i > 0 && rows[i] != rows[i - 1]) x = kLeftPx;
    const double row_y = y + rows[i] * kLegendRowPx;
    svg += "<rect x=\"" + num(x) + "\" y=\"" + num(row_y + 3) +
           "\" width=\"12\" height=\"10\" fill=\"" + legend[i].colour + "\"/>\n";
    svg += "<text x=\"" + num(x + kLegendSwatchPx) + "\" y=\"" + num(row_y + 12) + "\">" +
           xml_escape(legend[i].label) + "</text>\n";
    x += legend_entry_width(legend[i]);
  }
  svg += "</g>\n";
}

void add_notes(std::string& svg, const Score& score, const PianoRollLayout& l, bool seconds) {
  std::map<std::pair<int, int>, const char*> colour;
  for (const auto& e : legend_of(score)) colour[e.key] = e.colour;
  // A dark outline on every note: repeated notes of one pitch that touch read as separate
  // notes, not one long one (the geometry stays exact).
  svg += "<g class=\"notes\" stroke=\"#202020\" stroke-width=\"0.75\">\n";
  for (const auto& n : score.notes) {
    const double start = units_of_ticks(score, n.start_ticks, seconds);
    const double end = units_of_ticks(score, n.end_ticks, seconds);
    const double width = std::max(1.0, (end - start) * l.px_per_unit);  // zero-length stays visible
    svg += "<rect class=\"note\" x=\"" + num(l.x(start)) + "\" y=\"" + num(l.y(n.pitch)) +
           "\" width=\"" + num(width) + "\" height=\"" + num(l.row_height_px) + "\" fill=\"" +
           colour[{n.track, n.channel}] + "\" fill-opacity=\"" +
           num(std::clamp(n.velocity, 1, 127) / 127.0) + "\"/>\n";
  }
  svg += "</g>\n";
}

}  // namespace

std::string piano_roll_svg(const Score& score, const PianoRollOptions& options) {
  const PianoRollLayout l = piano_roll_layout(score, options);
  const bool seconds = options.time_in_seconds;
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(l.width_px) + "\" height=\"" +
         num(l.height_px) + "\" viewBox=\"0 0 " + num(l.width_px) + " " + num(l.height_px) +
         "\" font-family=\"sans-serif\">\n";
  svg += "<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  add_title_and_legend(svg, score, l, options.title);
  add_rows(svg, l);
  add_grid(svg, score, l, seconds);
  add_pitch_labels(svg, l);
  add_notes(svg, score, l, seconds);
  svg += "</svg>\n";
  return svg;
}

void write_piano_roll_svg(const Score& score, const std::filesystem::path& path,
                          const PianoRollOptions& options) {
  write_file_atomic(path, piano_roll_svg(score, options));
}

}  // namespace musegen
