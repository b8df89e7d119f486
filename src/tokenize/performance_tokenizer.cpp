// The `performance` tokenizer: notes -> seconds through the tempo map -> 10 ms steps ->
// Magenta's NOTE_ON / NOTE_OFF / TIME_SHIFT / VELOCITY events, and back.
#include "tokenize/performance_tokenizer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <tuple>
#include <utility>

#include "tokenize/token_utils.h"

namespace musegen::tokenize {

namespace {

// Magenta's quantize_to_step with its cutoff of 0.5: int(seconds * steps_per_second + 0.5).
std::int64_t quantize_seconds(double seconds, int steps_per_second) {
  return static_cast<std::int64_t>(std::floor(seconds * steps_per_second + 0.5));
}

// Decoded ticks per step: even, so that ticks per quarter at 120 bpm is a whole number, and
// at least 1000 ticks per second.
std::int64_t decoded_ticks_per_step(int steps_per_second) {
  return 2 * ((500 + steps_per_second - 1) / steps_per_second);
}

}  // namespace

PerformanceTokenizer::PerformanceTokenizer(const nlohmann::json& options) {
  OptionReader reader(options, "performance");
  steps_per_second_ = reader.get_int("steps_per_second", 100, 1, 1000);
  max_shift_steps_ = reader.get_int("max_shift_steps", 100, 1, 10000);
  velocity_bins_ = reader.get_int("velocity_bins", 32, 0, 127);
  velocity_ = reader.get_int("velocity", 100, 1, 127);
  track_ = reader.get_int("track", -1, -1, 65535);
  drums_ = reader.get_bool("drums", false);
  reader.reject_unknown();
}

nlohmann::json PerformanceTokenizer::config() const {
  return {{"name", name()},
          {"steps_per_second", steps_per_second_},
          {"max_shift_steps", max_shift_steps_},
          {"velocity_bins", velocity_bins_},
          {"velocity", velocity_},
          {"track", track_},
          {"drums", drums_}};
}

std::vector<PerformanceNote> PerformanceTokenizer::quantize(const Score& score) const {
  // Seconds through the tempo map, computed on a copy holding only what timing needs.
  Score timed;
  timed.ticks_per_quarter = score.ticks_per_quarter;
  timed.smpte_ticks_per_sec = score.smpte_ticks_per_sec;
  timed.tempos = score.tempos;
  timed.notes = select_notes(score, track_, drums_);
  timed.update_times();
  // Magenta sorts by (start_time, pitch); ticks order starts exactly as seconds do.
  std::stable_sort(timed.notes.begin(), timed.notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.start_ticks, a.pitch) < std::tie(b.start_ticks, b.pitch);
  });
  std::vector<PerformanceNote> notes;
  notes.reserve(timed.notes.size());
  for (const auto& n : timed.notes) {
    PerformanceNote p;
    p.start_step = quantize_seconds(n.start_sec, steps_per_second_);
    p.end_step = quantize_seconds(n.end_sec, steps_per_second_);
    if (p.end_step == p.start_step) p.end_step += 1;  // Magenta: at least one step
    p.pitch = n.pitch;
    p.velocity_bin = velocity_bins_ > 0 ? velocity_to_bin(n.velocity, velocity_bins_) : 0;
    notes.push_back(p);
  }
  return notes;
}

Tokens PerformanceTokenizer::tokens_of(const std::vector<PerformanceNote>& notes) const {
  // (step, note index, is_offset), sorted as Magenta sorts its tuples.
  std::vector<std::tuple<std::int64_t, std::size_t, bool>> events;
  events.reserve(notes.size() * 2);
  for (std::size_t i = 0; i < notes.size(); ++i) {
    events.emplace_back(notes[i].start_step, i, false);
    events.emplace_back(notes[i].end_step, i, true);
  }
  std::sort(events.begin(), events.end());
  Tokens out;
  out.reserve(events.size() * 2);
  std::int64_t now = 0;
  int bin = 0;
  for (const auto& [step, index, is_offset] : events) {
    if (step > now) {
      const std::int64_t gap = step - now;
      check_token_budget(out.size() + static_cast<std::size_t>(gap / max_shift_steps_ + 1),
                         "max_shift_steps", "the performance tokenization of this music");
      for (; step > now + max_shift_steps_; now += max_shift_steps_)
        out.push_back("shift:" + std::to_string(max_shift_steps_));
      out.push_back("shift:" + std::to_string(step - now));
      now = step;
    }
    const auto& note = notes[index];
    if (velocity_bins_ > 0 && !is_offset && note.velocity_bin != bin) {
      bin = note.velocity_bin;
      out.push_back("vel:" + std::to_string(bin));
    }
    out.push_back((is_offset ? "off:" : "on:") + std::to_string(note.pitch));
  }
  return out;
}

Tokens PerformanceTokenizer::encode(const TokenizerInput& input) const {
  return tokens_of(quantize(input.score));
}

std::vector<PerformanceNote> PerformanceTokenizer::notes_of(const Tokens& tokens) const {
  std::array<std::deque<std::pair<std::int64_t, int>>, 128> sounding;  // (start, bin) FIFO
  std::vector<PerformanceNote> notes;
  std::int64_t step = 0;
  int bin = 0;
  int value = 0;
  auto end_note = [&](int pitch, std::pair<std::int64_t, int> start) {
    if (start.first == step) return;  // zero duration: dropped, as Magenta does
    notes.push_back(PerformanceNote{start.first, step, pitch, start.second});
  };
  for (const auto& token : tokens) {
    if (parse_token(token, "on:", 0, 127, &value)) {
      sounding[value].emplace_back(step, bin);
    } else if (parse_token(token, "off:", 0, 127, &value)) {
      if (sounding[value].empty()) continue;  // NOTE_OFF without NOTE_ON: ignored
      auto start = sounding[value].front();
      sounding[value].pop_front();
      end_note(value, start);
    } else if (parse_token(token, "shift:", 1, max_shift_steps_, &value)) {
      step += value;
    } else if (velocity_bins_ > 0 && parse_token(token, "vel:", 1, velocity_bins_, &value)) {
      bin = value;
    }
  }
  for (int pitch = 0; pitch < 128; ++pitch)
    for (const auto& start : sounding[pitch]) end_note(pitch, start);
  std::sort(notes.begin(), notes.end(), [](const PerformanceNote& a, const PerformanceNote& b) {
    return std::tie(a.start_step, a.pitch, a.end_step) <
           std::tie(b.start_step, b.pitch, b.end_step);
  });
  return notes;
}

Score PerformanceTokenizer::decode(const Tokens& tokens) const {
  const std::int64_t ticks_per_step = decoded_ticks_per_step(steps_per_second_);
  // 120 bpm: a quarter note is half a second.
  const auto tpq = static_cast<int>(ticks_per_step * steps_per_second_ / 2);
  Score score = decoded_score(tpq, "performance");
  for (const auto& p : notes_of(tokens)) {
    Note n;
    n.pitch = p.pitch;
    n.velocity = p.velocity_bin > 0 ? bin_to_velocity(p.velocity_bin, velocity_bins_) : velocity_;
    n.start_ticks = p.start_step * ticks_per_step;
    n.end_ticks = p.end_step * ticks_per_step;
    score.notes.push_back(n);
  }
  score.sort_events();
  score.update_times();
  return score;
}

Tokens PerformanceTokenizer::fixed_vocabulary() const {
  Tokens table;
  for (int p = 0; p <= 127; ++p) table.push_back("on:" + std::to_string(p));
  for (int p = 0; p <= 127; ++p) table.push_back("off:" + std::to_string(p));
  for (int s = 1; s <= max_shift_steps_; ++s) table.push_back("shift:" + std::to_string(s));
  for (int b = 1; b <= velocity_bins_; ++b) table.push_back("vel:" + std::to_string(b));
  return table;
}

Tokens PerformanceTokenizer::encode_counted(const TokenizerInput& input, EncodeStats& stats) const {
  count_selection(input.score, track_, drums_, name(), stats);
  return encode(input);
}

}  // namespace musegen::tokenize
