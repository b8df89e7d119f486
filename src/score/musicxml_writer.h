// MusicXML 4.0 partwise output of a Notation (pugixml): the part list with each part's name,
// General MIDI instrument and channel, then measures with their attributes, tempo marks, and
// every voice of every staff in turn. The file validates against the MusicXML 4.0 schema.
#pragma once

#include <filesystem>
#include <string>

#include "music/score.h"
#include "score/notation.h"

namespace musegen::score {

// The MusicXML document, UTF-8, with its XML declaration and DOCTYPE.
std::string to_musicxml(const Notation& notation);

// Writes `notation` atomically (core/file_io.h). Throws IoError.
void write_musicxml_file(const Notation& notation, const std::filesystem::path& path);

// build_notation() then write_musicxml_file(); returns the notation written. Throws what both
// throw.
Notation write_musicxml_file(const Score& score, const std::filesystem::path& path,
                             const NotationOptions& options = {});

}  // namespace musegen::score
