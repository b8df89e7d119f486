// The `performance` tokenizer: Magenta's Performance RNN event encoding (note-seq
// performance_lib): NOTE_ON and NOTE_OFF for 128 pitches, TIME_SHIFT in 10 ms steps up to 1 s
// and 32 VELOCITY bins, 388 events, timed in seconds through the tempo map.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

// One note as the performance representation keeps it: quantised to steps of
// 1/steps_per_second seconds.
struct PerformanceNote {
  std::int64_t start_step = 0;
  std::int64_t end_step = 1;  // > start_step
  int pitch = 60;
  int velocity_bin = 0;  // 1..velocity_bins, 0 when velocities are not kept

  friend bool operator==(const PerformanceNote&, const PerformanceNote&) = default;
};

// Tokens: on:P and off:P (P 0..127), shift:N (N 1..max_shift_steps steps), vel:B
// (B 1..velocity_bins, emitted before a NOTE_ON whose bin differs from the current one).
// As in Magenta: times round to the nearest step (halves up), a note shorter than one step
// lasts one step, events sort by (step, note index, off after on of the same note) with
// notes indexed in (start, pitch) order, so within a step the note-offs of earlier notes
// precede the note-ons; longer gaps repeat shift:max_shift_steps. The sustain pedal is
// ignored (a Score carries no controllers).
class PerformanceTokenizer : public Tokenizer {
 public:
  // options (all optional): steps_per_second 1..1000 (100), max_shift_steps 1..10000 (100),
  // velocity_bins 0..127 (32; 0: no velocity events), velocity 1..127 (100, Magenta's
  // decoding default before any vel: token), track -1..65535 (-1: all), drums (false).
  // Throws ConfigError naming a bad or unknown key.
  explicit PerformanceTokenizer(const nlohmann::json& options = nlohmann::json::object());

  std::string name() const override { return "performance"; }
  nlohmann::json config() const override;
  // Throws ConfigError when the music would need more than kMaxTokensPerScore tokens.
  Tokens encode(const TokenizerInput& input) const override;
  // Counts the drum notes (without drums: true) and other tracks' notes (with track: N)
  // left out.
  Tokens encode_counted(const TokenizerInput& input, EncodeStats& stats) const override;
  // Magenta's decoding: a NOTE_OFF ends the earliest sounding note of its pitch (first in,
  // first out); zero-length notes and unmatched NOTE_OFFs are dropped; notes still on at the
  // end end at the final time. One track ("performance"), 120 bpm, whole ticks per step
  // (500 ticks per quarter at the default 100 steps per second: 1 tick = 1 ms).
  Score decode(const Tokens& tokens) const override;
  // on:0..127, off:0..127, shift:1..max_shift_steps, vel:1..velocity_bins (388 by default),
  // Magenta's event-range order.
  Tokens fixed_vocabulary() const override;

  // The notes of a Score as this representation quantises them, in (start, pitch) order.
  std::vector<PerformanceNote> quantize(const Score& score) const;
  Tokens tokens_of(const std::vector<PerformanceNote>& notes) const;
  // Decoded notes sorted by (start, pitch, end).
  std::vector<PerformanceNote> notes_of(const Tokens& tokens) const;

  int steps_per_second() const { return steps_per_second_; }
  int velocity_bins() const { return velocity_bins_; }

 private:
  int steps_per_second_ = 100;
  int max_shift_steps_ = 100;
  int velocity_bins_ = 32;
  int velocity_ = 100;
  int track_ = -1;
  bool drums_ = false;
};

}  // namespace musegen::tokenize
