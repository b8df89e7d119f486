// MusicXML in: .musicxml/.xml (partwise or timewise) and compressed .mxl -> Score. Every part
// becomes a track named after it, its notes on the part's MIDI channel and program; ties are
// joined, and the tempo, time and key signatures are read. What is read and what is ignored:
// docs/notation.md. Damaged input is read as far as it can be, with a warning per kind of
// repair; input that is not a score throws ParseError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/diagnostic.h"
#include "music/score.h"

namespace musegen::score {

struct MusicXmlRead {
  Score score;
  Diagnostics warnings;
};

// True for names ending in .musicxml, .xml or .mxl, in any case.
bool is_musicxml_name(const std::filesystem::path& path);

// Parses `bytes` (XML text, or a zip archive for .mxl). Throws ParseError naming `name` and the
// byte offset when the bytes are not XML, not a MusicXML score, or hold a position beyond what
// a MIDI file can (2^40 ticks), and at the first warning when `strict`.
MusicXmlRead read_musicxml(std::span<const std::uint8_t> bytes, const std::string& name,
                           bool strict = false);

// Throws IoError when the file cannot be read, and what read_musicxml throws.
MusicXmlRead read_musicxml_file(const std::filesystem::path& path, bool strict = false);

}  // namespace musegen::score
