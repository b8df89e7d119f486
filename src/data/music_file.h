// The one way every command and the corpus read a music file: Standard MIDI Files (.mid,
// .midi) and MusicXML (.musicxml, .xml, .mxl), told apart by their first bytes, into the same
// Score with its raw MIDI events. For MusicXML the events are synthesised: the Score written as
// a MIDI file by midi::write and read back by midi::read_events, so a tokenizer that needs raw
// events (tutorial) sees exactly the file musegen would write for that score.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "midi/reader.h"

namespace musegen::data {

enum class MusicFormat { midi, musicxml };

struct MusicFile : midi::ReadResult {
  MusicFormat format = MusicFormat::midi;
};

// True for the names a corpus folder walk picks up: .mid, .midi, .musicxml, .xml, .mxl.
bool is_music_file_name(const std::filesystem::path& path);

// Reads MIDI or MusicXML from bytes: a zip archive or XML text (after an optional byte-order
// mark and white space) is MusicXML, anything else goes to the MIDI reader. Throws what
// midi::read or score::read_musicxml throw (ParseError naming `name`), and ConfigError when a
// MusicXML score cannot be held by a MIDI file (for its events).
MusicFile read_music(std::span<const std::uint8_t> bytes, const std::string& name,
                     const midi::ReadOptions& options = {});

// Throws IoError when the file cannot be read, and what read_music throws.
MusicFile read_music_file(const std::filesystem::path& path, const midi::ReadOptions& options = {});

const char* format_name(MusicFormat format);  // "MIDI", "MusicXML"

}  // namespace musegen::data
