// The `tutorial` tokenizer: exactly the tokens of the Python/music21 5.x tutorial (a note's
// pitch name with octave, a chord's normalOrder joined by '.'), following
// ../shared/music21-tokens.md rule by rule; and the tutorial's decoding (fixed spacing).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "music/events.h"
#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

class TutorialTokenizer : public Tokenizer {
 public:
  // options: {"spacing_beats": 0.5, "duration_beats": 1.0}. spacing_beats (> 0, <= 1024) is
  // the decoded distance between consecutive tokens in quarter notes (the tutorial's
  // `offset += 0.5`); duration_beats (> 0, <= 1024) the decoded length of every element
  // (music21's default of 1 quarter note, so the tutorial's elements overlap). Throws
  // ConfigError naming the key for bad values or unknown keys.
  explicit TutorialTokenizer(const nlohmann::json& options = nlohmann::json::object());

  std::string name() const override { return "tutorial"; }
  // {"name": "tutorial", "spacing_beats": ..., "duration_beats": ...}
  nlohmann::json config() const override;
  // Needs input.events (the raw EventFile from midi::read_events); throws ConfigError
  // (key "events") without them. Where music21 5.x raises (format 2, no track with a
  // sounding note, division 0, bad SMPTE frame rate) this throws musegen::Error with a
  // one-line message that names no file: the caller prefixes the file name.
  Tokens encode(const TokenizerInput& input) const override;
  // One element every spacing_beats quarter notes from 0: a note token at its pitch
  // (parsed as music21 parses names: "B-1" is B flat 1 = MIDI 34), a chord token's pitch
  // classes in octave 4 (MIDI 60 + pc); piano (program 0), velocity 90 (what music21
  // writes for a note without dynamics), 480 ticks per quarter, 120 bpm, one track.
  // Malformed tokens are skipped and take no time slot.
  Score decode(const Tokens& tokens) const override;

  // The tokens of raw events; same contract as encode().
  static Tokens encode_events(const EventFile& events);

  double spacing_beats() const { return spacing_beats_; }
  double duration_beats() const { return duration_beats_; }

 private:
  double spacing_beats_ = 0.5;
  double duration_beats_ = 1.0;
};

}  // namespace musegen::tokenize
