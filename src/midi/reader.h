// Standard MIDI File reading: bytes -> EventFile (raw events) -> Score (paired notes).
// Damaged input is read as far as it can be read unambiguously, with a warning for every
// repair; input that cannot be read at all throws ParseError (file, byte offset, expectation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <span>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "music/events.h"
#include "music/score.h"

namespace musegen::midi {

struct ReadOptions {
  bool strict = false;  // every warning becomes a ParseError
};

struct ReadResult {
  Score score;
  EventFile events;
  Diagnostics warnings;
  // Per Score track: notes whose note-on struck a pitch still sounding on that channel (the
  // earlier note ends there). Ordinary in real files; not a warning.
  std::vector<std::int64_t> restrikes;
};

// Parses the chunks of an SMF (or an RMID wrapper) into raw events. `name` labels errors and
// warnings. Malformed tempo/time/key meta events are dropped with a warning; SysEx is skipped.
// Throws ParseError when the input is not usable MIDI, or at the first warning when strict.
EventFile read_events(std::span<const std::uint8_t> bytes, const std::string& name,
                      const ReadOptions& options, Diagnostics& warnings);

// Pairs note-ons with note-offs and applies the tempo map. Pairing rule, per track, channel
// and pitch: a note-on starts a note; a note-off (or note-on with velocity 0) ends the
// sounding note; a note-on of a pitch that is still sounding ends the earlier note at that
// tick and starts a new one, and a note-off at that same tick right after it is taken as the
// earlier note's off (writers often put the re-strike first); notes never turned off end at
// their track's end. A note-off with nothing sounding is ignored: silently when it is the
// surplus off of a re-struck pitch (counted in `restrikes`), else with a warning. Warnings name
// tracks by their Score index, as listings do ("track 2"), or "the conductor track".
// Score::tracks: every MTrk, except a format-1 first track without notes (the conductor).
// Format 2: patterns are laid end to end in file order. SMPTE division: see EventFile.
// Throws ParseError (strict mode, or an unusable division in a hand-built EventFile).
Score events_to_score(const EventFile& events, const std::string& name, const ReadOptions& options,
                      Diagnostics& warnings, std::vector<std::int64_t>* restrikes = nullptr);

ReadResult read(std::span<const std::uint8_t> bytes, const std::string& name,
                const ReadOptions& options = {});
ReadResult read(std::istream& in, const std::string& name, const ReadOptions& options = {});
// Throws IoError when the file cannot be read, ParseError when it is not usable MIDI.
ReadResult read_file(const std::filesystem::path& path, const ReadOptions& options = {});

}  // namespace musegen::midi
