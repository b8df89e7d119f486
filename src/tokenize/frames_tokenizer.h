// The `frames` tokenizer: a piano roll sampled on a fixed grid (frames per quarter note, 1 for
// the polyphonic benchmark), each frame written as its sounding pitches in ascending order
// and an end-of-frame token, so a model scores a frame as the product of its tokens.
#pragma once

#include <bitset>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

inline const char* const kEndOfFrame = "|";

// One frame: bit p is set when MIDI pitch p sounds at the frame's start.
using Frame = std::bitset<128>;

// Tokens: p:P for each sounding pitch P (min_pitch..max_pitch) in ascending order, then "|".
// Frame k samples the music at tick floor(k * ticks_per_quarter / frames_per_quarter): a
// note sounds there when start <= tick < end. The number of frames is
// ceil(end * frames_per_quarter / ticks_per_quarter), where end is the end of the last
// selected note or, when the raw events are given, the last End-of-Track if later (the
// benchmark files mark trailing silent frames that way; this reproduces its frame counts).
class FramesTokenizer : public Tokenizer {
 public:
  // options (all optional): frames_per_quarter 1..480 (1), min_pitch 0..127 (21),
  // max_pitch 0..127 (108, >= min_pitch), out_of_range "drop" (default) or "fold" (move by
  // octaves into the range; needs a range of at least 12 pitches), velocity 1..127 (80, for
  // decoded notes), track -1..65535 (-1: all), drums (false). Throws ConfigError naming a
  // bad or unknown key.
  explicit FramesTokenizer(const nlohmann::json& options = nlohmann::json::object());

  std::string name() const override { return "frames"; }
  nlohmann::json config() const override;
  // Throws ConfigError when the music would need more than kMaxTokensPerScore tokens.
  Tokens encode(const TokenizerInput& input) const override;
  // Counts the drum notes (without drums: true) and other tracks' notes (with track: N)
  // left out.
  Tokens encode_counted(const TokenizerInput& input, EncodeStats& stats) const override;
  // A pitch held in consecutive frames becomes one note; pitches after the last "|" form a
  // final frame; tokens that are not a pitch in range or "|" are skipped. One track
  // ("frames"), 120 bpm, ticks per quarter a multiple of frames_per_quarter (480 when it
  // divides 480). Trailing silent frames leave no trace in a Score.
  Score decode(const Tokens& tokens) const override;
  // p:min_pitch..p:max_pitch, then "|".
  Tokens fixed_vocabulary() const override;

  // The frames of a Score (and optional raw events, for End-of-Track).
  std::vector<Frame> frames(const Score& score, const EventFile* events = nullptr) const;
  Tokens tokens_of(const std::vector<Frame>& frames) const;
  std::vector<Frame> frames_of(const Tokens& tokens) const;

  int frames_per_quarter() const { return frames_per_quarter_; }
  int min_pitch() const { return min_pitch_; }
  int max_pitch() const { return max_pitch_; }

 private:
  // The pitch to write for `pitch`, or -1 when it is dropped.
  int mapped_pitch(int pitch) const;

  int frames_per_quarter_ = 1;
  int min_pitch_ = 21;
  int max_pitch_ = 108;
  bool fold_ = false;
  int velocity_ = 80;
  int track_ = -1;
  bool drums_ = false;
};

}  // namespace musegen::tokenize
