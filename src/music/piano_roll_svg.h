// Piano-roll pictures of a Score as standalone SVG: one rectangle per note (x = time, y =
// pitch, opacity = velocity, a colour per track and channel), beat and bar grid lines, C-note
// labels, a legend of tracks and a title.
#pragma once

#include <filesystem>
#include <string>

#include "music/score.h"

namespace musegen {

struct PianoRollOptions {
  bool time_in_seconds = false;  // x axis in seconds instead of quarter notes
  double px_per_unit = 32;       // pixels per quarter note (or second), 0.01..10000
  double max_width_px = 2400;    // longer pieces are scaled down to fit, 100..100000
  double row_height_px = 6;      // pixels per semitone, 1..100
  std::string title;             // drawn on top when not empty
};

// Geometry of a roll: a note at time t (beats or seconds) with pitch p is drawn at
// x = left_px + t * px_per_unit, y = top_px + (highest_pitch - p) * row_height_px.
struct PianoRollLayout {
  double left_px = 0, top_px = 0;
  double px_per_unit = 0;  // after scaling to max_width_px
  double row_height_px = 0;
  int lowest_pitch = 0, highest_pitch = 0;  // rows drawn (notes' range plus one either side)
  double duration_units = 0;                // beats or seconds covered
  double width_px = 0, height_px = 0;

  double x(double time_units) const { return left_px + time_units * px_per_unit; }
  double y(int pitch) const { return top_px + (highest_pitch - pitch) * row_height_px; }
};

// Throws ConfigError (key named after the option) when an option is out of range.
PianoRollLayout piano_roll_layout(const Score& score, const PianoRollOptions& options = {});
// The SVG document (UTF-8). Track names and the title are XML-escaped.
std::string piano_roll_svg(const Score& score, const PianoRollOptions& options = {});
// Text safe for XML content and attribute values: & < > " ' escaped, control characters
// dropped, bytes that are not valid UTF-8 (MIDI names are often Latin-1) read as Latin-1.
std::string xml_escape(const std::string& text);
// Atomic write. Throws IoError, ConfigError.
void write_piano_roll_svg(const Score& score, const std::filesystem::path& path,
                          const PianoRollOptions& options = {});

}  // namespace musegen
