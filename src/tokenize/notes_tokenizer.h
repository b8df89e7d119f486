// The `notes` tokenizer: every sounding note as separate pitch and duration tokens, onsets as
// time shifts from the previous onset, on a grid of steps per quarter note (default 12, which
// holds sixteenths and triplets). Notes with the same quantised onset form a chord.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

// One note of the quantised music the `notes` representation keeps.
struct GridNote {
  std::int64_t onset_steps = 0;     // grid steps from the start of the music
  int pitch = 60;                   // 0..127
  std::int64_t duration_steps = 1;  // >= 1
  int velocity_bin = 0;             // 1..velocity_bins, or 0 when velocities are not kept

  friend bool operator==(const GridNote&, const GridNote&) = default;
};

// Tokens (in this order for each onset, chord notes by ascending pitch):
//   t:N  time shift of N steps (1..max_shift_steps) from the previous onset; longer gaps
//        repeat t:max_shift_steps; the first onset is shifted from time 0.
//   v:B  velocity bin B (1..velocity_bins) of the following notes, only when it changes and
//        only when velocity_bins > 0.
//   p:P  a note of MIDI pitch P (0..127) at the current onset,
//   d:N  its duration, N steps (1..max_duration_steps); a longer duration is written as
//        d:max_duration_steps repeated and a final remainder, and decoding sums them.
class NotesTokenizer : public Tokenizer {
 public:
  // options (all optional): steps_per_quarter 1..480 (12), max_shift_steps 1..4096 (48),
  // max_duration_steps 1..4096 (96), velocity_bins 0..127 (0: velocities not kept),
  // velocity 1..127 (80, the decoded velocity when velocity_bins is 0), track -1..65535
  // (-1: all tracks), drums (false). Throws ConfigError naming a bad or unknown key.
  explicit NotesTokenizer(const nlohmann::json& options = nlohmann::json::object());

  std::string name() const override { return "notes"; }
  nlohmann::json config() const override;
  // Throws ConfigError when the music would need more than kMaxTokensPerScore tokens.
  Tokens encode(const TokenizerInput& input) const override;
  // Counts the drum notes (without drums: true) and other tracks' notes (with track: N)
  // left out, and notes merged by quantisation (same onset and pitch).
  Tokens encode_counted(const TokenizerInput& input, EncodeStats& stats) const override;
  // One track ("notes"), channel 0, program 0, 120 bpm, ticks per quarter a multiple of
  // steps_per_quarter (480 when it divides 480): the quantised music exactly.
  Score decode(const Tokens& tokens) const override;
  // t:1..max_shift, p:0..127, d:1..max_duration, v:1..velocity_bins: fixed, corpus-free.
  Tokens fixed_vocabulary() const override;

  // What the representation keeps of a Score: the selected notes with onset and end rounded
  // to the nearest step (halves up), durations at least one step, and of several notes with
  // the same onset and pitch only the longest (the first of equals). Sorted by (onset, pitch).
  std::vector<GridNote> quantize(const Score& score) const;
  Tokens tokens_of(const std::vector<GridNote>& notes) const;
  std::vector<GridNote> grid_notes_of(const Tokens& tokens) const;

  int steps_per_quarter() const { return steps_per_quarter_; }
  int velocity_bins() const { return velocity_bins_; }

 private:
  Score score_of(const std::vector<GridNote>& notes) const;

  int steps_per_quarter_ = 12;
  int max_shift_steps_ = 48;
  int max_duration_steps_ = 96;
  int velocity_bins_ = 0;
  int velocity_ = 80;
  int track_ = -1;
  bool drums_ = false;
};

}  // namespace musegen::tokenize
