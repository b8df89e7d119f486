// How well written music kept the controls: shares of notes in the key and in range, bars in
// the time signature, notes per bar against the density asked, bars written and how the piece
// ends, the longest run of one repeated pitch.
#include <algorithm>
#include <map>

#include "compose/controls.h"
#include "music/bars.h"

namespace musegen::compose {

namespace {

double share(std::size_t part, std::size_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 1.0;
}

// The last onset's pitch classes and whether its notes last to the end of the music.
nlohmann::json ending_json(const Score& music, const std::optional<Scale>& key) {
  std::int64_t last_onset = -1, end = 0;
  for (const auto& n : music.notes)
    if (!n.is_drum())
      last_onset = std::max(last_onset, n.start_ticks), end = std::max(end, n.end_ticks);
  std::array<bool, 12> chord{};
  bool held = true;
  for (const auto& n : music.notes)
    if (!n.is_drum() && n.start_ticks == last_onset) {
      chord[static_cast<std::size_t>(n.pitch % 12)] = true;
      held = held && n.end_ticks == end;
    }
  nlohmann::json j = {{"last_chord_held_to_end", held}};
  if (key && key->tonic >= 0) {
    const auto triad = key->tonic_triad();
    bool in_triad = last_onset >= 0;
    for (int pc = 0; pc < 12; ++pc)
      in_triad =
          in_triad && (!chord[static_cast<std::size_t>(pc)] || triad[static_cast<std::size_t>(pc)]);
    j["last_chord_in_tonic_triad"] = in_triad;
  }
  return j;
}

std::size_t longest_same_pitch_run(const Score& music) {
  std::map<std::pair<int, int>, std::vector<int>> streams;  // (track, channel) -> pitches
  for (const auto& n : music.notes)
    if (!n.is_drum()) streams[{n.track, n.channel}].push_back(n.pitch);
  std::size_t longest = 0;
  for (const auto& [key, pitches] : streams)
    for (std::size_t i = 0, run = 0; i < pitches.size(); ++i) {
      run = i > 0 && pitches[i] == pitches[i - 1] ? run + 1 : 1;
      longest = std::max(longest, run);
    }
  return longest;
}

// Notes per bar against the density asked. With a number of bars the last one is the held
// closing chord that --bars asks for, not the pace, so it is left out when there are others.
nlohmann::json density_json(const Controls& c, const Score& music, const std::vector<Bar>& bars) {
  const bool without_close = c.bars > 0 && bars.size() >= 2;
  const std::size_t counted = bars.size() - (without_close ? 1 : 0);
  std::size_t notes = 0;
  for (const auto& n : music.notes)
    notes += !without_close || n.start_ticks < bars.back().start_ticks;
  return {
      {"asked", c.density},
      {"notes_per_bar", counted ? static_cast<double>(notes) / static_cast<double>(counted) : 0.0},
      {"closing_bar_left_out", without_close}};
}

}  // namespace

nlohmann::json controls_report(const Controls& c, const Score& music) {
  nlohmann::json j = nlohmann::json::object();
  std::size_t pitched = 0, in_key = 0;
  for (const auto& n : music.notes)
    if (!n.is_drum()) ++pitched, in_key += c.key && c.key->contains(n.pitch);
  if (c.key)
    j["key"] = {{"asked", c.key->name},
                {"mode", c.key_strength >= 1 ? "mask" : "penalty"},
                {"strength", c.key_strength},
                {"in_key", share(in_key, pitched)}};
  const auto bars = bars_of(music);
  if (c.time_signature) {
    std::size_t in_signature = 0;
    for (const auto& b : bars)
      in_signature +=
          b.numerator == c.time_signature->first && b.denominator == c.time_signature->second;
    j["time_signature"] = {{"asked", std::to_string(c.time_signature->first) + "/" +
                                         std::to_string(c.time_signature->second)},
                           {"bars_in_it", share(in_signature, bars.size())}};
  }
  if (c.tempo_bpm)
    j["tempo"] = {{"asked", *c.tempo_bpm},
                  {"written", music.tempos.empty() ? 120.0 : music.tempos.front().bpm()}};
  if (c.density > 0) j["density"] = density_json(c, music, bars);
  if (c.bars > 0) {
    j["bars"] = {{"asked", c.bars}, {"written", bars.size()}};
    j["ending"] = ending_json(music, c.key);
  }
  if (!c.ranges.empty()) {
    std::size_t inside = 0;
    for (const auto& n : music.notes) {
      if (n.is_drum()) continue;
      auto r = c.ranges.find(n.program);
      if (r == c.ranges.end()) r = c.ranges.find(-1);
      inside += r == c.ranges.end() || (n.pitch >= r->second.first && n.pitch <= r->second.second);
    }
    j["range"] = {{"asked", c.ranges_text}, {"within", share(inside, pitched)}};
  }
  if (c.repetition_penalty != 1.0 || c.no_repeat_ngram > 0)
    j["repetition"] = {{"penalty", c.repetition_penalty},
                       {"no_repeat_ngram", c.no_repeat_ngram},
                       {"longest_same_pitch_run", longest_same_pitch_run(music)}};
  return j;
}

}  // namespace musegen::compose
