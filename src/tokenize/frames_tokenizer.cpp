// The `frames` tokenizer: sample the selected notes on a grid into 128-bit frames, write each
// frame's pitches ascending plus "|", and turn runs of a pitch back into held notes.
#include "tokenize/frames_tokenizer.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "core/errors.h"
#include "tokenize/token_utils.h"

namespace musegen::tokenize {

FramesTokenizer::FramesTokenizer(const nlohmann::json& options) {
  OptionReader reader(options, "frames");
  frames_per_quarter_ = reader.get_int("frames_per_quarter", 1, 1, 480);
  min_pitch_ = reader.get_int("min_pitch", 21, 0, 127);
  max_pitch_ = reader.get_int("max_pitch", 108, min_pitch_, 127);
  fold_ = reader.get_choice("out_of_range", "drop", {"drop", "fold"}) == "fold";
  velocity_ = reader.get_int("velocity", 80, 1, 127);
  track_ = reader.get_int("track", -1, -1, 65535);
  drums_ = reader.get_bool("drums", false);
  reader.reject_unknown();
  if (fold_ && max_pitch_ - min_pitch_ < 11)
    throw ConfigError("out_of_range",
                      "frames tokenizer: \"fold\" needs a pitch range of at least 12 pitches, "
                      "min_pitch..max_pitch is " +
                          std::to_string(min_pitch_) + ".." + std::to_string(max_pitch_),
                      "\"drop\", or \"fold\" with max_pitch - min_pitch >= 11");
}

nlohmann::json FramesTokenizer::config() const {
  return {{"name", name()},
          {"frames_per_quarter", frames_per_quarter_},
          {"min_pitch", min_pitch_},
          {"max_pitch", max_pitch_},
          {"out_of_range", fold_ ? "fold" : "drop"},
          {"velocity", velocity_},
          {"track", track_},
          {"drums", drums_}};
}

int FramesTokenizer::mapped_pitch(int pitch) const {
  if (pitch >= min_pitch_ && pitch <= max_pitch_) return pitch;
  if (!fold_) return -1;
  while (pitch < min_pitch_) pitch += 12;
  while (pitch > max_pitch_) pitch -= 12;
  return pitch;
}

std::vector<Frame> FramesTokenizer::frames(const Score& score, const EventFile* events) const {
  const auto notes = select_notes(score, track_, drums_);
  std::int64_t end_ticks = 0;
  for (const auto& n : notes) end_ticks = std::max(end_ticks, n.end_ticks);
  if (events)
    for (const auto& t : events->tracks) end_ticks = std::max(end_ticks, t.end_tick);
  const auto n_frames = grid_point_at_or_after(score, end_ticks, frames_per_quarter_);
  // Each frame costs at least its "|"; refuse absurd lengths before allocating them.
  check_token_budget(
      static_cast<std::size_t>(n_frames), "frames_per_quarter",
      "the frames tokenization of this music (" + std::to_string(n_frames) + " frames)");
  // Frame k's tick floor(k * tpq / fpq) lies in [start, end) exactly for
  // ceil(start * fpq / tpq) <= k < ceil(end * fpq / tpq). Intervals are merged per pitch
  // first, so overlapping notes cost no more than one frame range each.
  std::array<std::vector<std::pair<std::int64_t, std::int64_t>>, 128> spans;
  for (const auto& n : notes) {
    const int pitch = mapped_pitch(n.pitch);
    if (pitch < 0) continue;
    spans[pitch].emplace_back(grid_point_at_or_after(score, n.start_ticks, frames_per_quarter_),
                              grid_point_at_or_after(score, n.end_ticks, frames_per_quarter_));
  }
  std::vector<Frame> out(static_cast<std::size_t>(n_frames));
  for (int pitch = 0; pitch < 128; ++pitch) {
    auto& list = spans[pitch];
    std::sort(list.begin(), list.end());
    std::int64_t done = 0;  // frames below `done` are already set for this pitch
    for (const auto& [first, last] : list) {
      for (auto k = std::max(first, done); k < last; ++k)
        out[static_cast<std::size_t>(k)].set(pitch);
      done = std::max(done, last);
    }
  }
  return out;
}

Tokens FramesTokenizer::tokens_of(const std::vector<Frame>& frames) const {
  std::size_t n_tokens = frames.size();
  for (const auto& f : frames) n_tokens += f.count();
  check_token_budget(n_tokens, "frames_per_quarter", "the frames tokenization of this music");
  std::array<std::string, 128> pitch_tokens;
  for (int p = 0; p < 128; ++p) pitch_tokens[p] = "p:" + std::to_string(p);
  Tokens out;
  out.reserve(n_tokens);
  for (const auto& f : frames) {
    for (int p = 0; p < 128; ++p)
      if (f.test(p)) out.push_back(pitch_tokens[p]);
    out.push_back(kEndOfFrame);
  }
  return out;
}

Tokens FramesTokenizer::encode(const TokenizerInput& input) const {
  return tokens_of(frames(input.score, input.events));
}

std::vector<Frame> FramesTokenizer::frames_of(const Tokens& tokens) const {
  std::vector<Frame> out;
  Frame current;
  bool open = false;  // pitches seen since the last "|"
  int value = 0;
  for (const auto& token : tokens) {
    if (token == kEndOfFrame) {
      out.push_back(current);
      current.reset();
      open = false;
    } else if (parse_token(token, "p:", min_pitch_, max_pitch_, &value)) {
      current.set(value);
      open = true;
    }
  }
  if (open) out.push_back(current);
  return out;
}

Score FramesTokenizer::decode(const Tokens& tokens) const {
  const auto frames = frames_of(tokens);
  Score score = decoded_score(decoded_ticks_per_quarter(frames_per_quarter_), "frames");
  const std::int64_t ticks_per_frame = score.ticks_per_quarter / frames_per_quarter_;
  std::array<std::int64_t, 128> held_since;
  held_since.fill(-1);
  auto close = [&](int pitch, std::int64_t end_frame) {
    Note n;
    n.pitch = pitch;
    n.velocity = velocity_;
    n.start_ticks = held_since[pitch] * ticks_per_frame;
    n.end_ticks = end_frame * ticks_per_frame;
    score.notes.push_back(n);
    held_since[pitch] = -1;
  };
  const auto n_frames = static_cast<std::int64_t>(frames.size());
  for (std::int64_t k = 0; k <= n_frames; ++k) {
    for (int p = 0; p < 128; ++p) {
      const bool on = k < n_frames && frames[static_cast<std::size_t>(k)].test(p);
      if (on && held_since[p] < 0) held_since[p] = k;
      if (!on && held_since[p] >= 0) close(p, k);
    }
  }
  score.sort_events();
  score.update_times();
  return score;
}

Tokens FramesTokenizer::fixed_vocabulary() const {
  Tokens table;
  for (int p = min_pitch_; p <= max_pitch_; ++p) table.push_back("p:" + std::to_string(p));
  table.push_back(kEndOfFrame);
  return table;
}

Tokens FramesTokenizer::encode_counted(const TokenizerInput& input, EncodeStats& stats) const {
  count_selection(input.score, track_, drums_, name(), stats);
  return encode(input);
}

}  // namespace musegen::tokenize
