// Grouping notes into parts and staves, naming parts, choosing clefs.
#include "score/parts.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <tuple>

#include "music/general_midi.h"

namespace musegen::score {

namespace {

bool is_keyboard(int program) {
  return program >= 0 && program <= 7;
}

using PartKey = std::tuple<int, int, int>;  // track, channel, program (-1 for drums)

PartKey key_of(const Note& n) {
  return {n.track, n.channel, n.is_drum() ? -1 : n.program};
}

double mean_pitch(const Score& score, const std::vector<std::size_t>& notes) {
  double sum = 0;
  for (std::size_t i : notes) sum += score.notes[i].pitch;
  return notes.empty() ? 0 : sum / static_cast<double>(notes.size());
}

std::string track_name(const Score& score, int track) {
  return track >= 0 && track < static_cast<int>(score.tracks.size()) ? score.tracks[track].name
                                                                     : "";
}

// Names from tracks and instruments; repeated names get " 1", " 2", ...
void name_parts(const Score& score, const std::vector<PartKey>& keys,
                std::vector<PartPlan>& parts) {
  std::map<int, int> parts_of_track;
  for (const auto& k : keys) ++parts_of_track[std::get<0>(k)];
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string instrument = parts[i].drums ? "Drums" : gm_program_name(parts[i].program);
    const std::string track = track_name(score, std::get<0>(keys[i]));
    parts[i].name = track.empty()                              ? instrument
                    : parts_of_track[std::get<0>(keys[i])] > 1 ? track + ": " + instrument
                                                               : track;
  }
  std::map<std::string, int> seen, count;
  for (const auto& p : parts) ++count[p.name];
  for (auto& p : parts)
    if (count[p.name] > 1) p.name.append(" ").append(std::to_string(++seen[p.name]));
}

// Two piano parts of one program are two hands of one player.
bool merge_hands(const Score& score, std::vector<PartPlan>& parts, std::vector<PartKey>& keys) {
  std::vector<std::size_t> pianos;
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (parts[i].keyboard) pianos.push_back(i);
  if (pianos.size() != 2 || parts[pianos[0]].program != parts[pianos[1]].program) return false;
  PartPlan& a = parts[pianos[0]];
  PartPlan& b = parts[pianos[1]];
  std::vector<std::size_t> upper = a.staff_notes[0], lower = b.staff_notes[0];
  if (mean_pitch(score, upper) < mean_pitch(score, lower)) std::swap(upper, lower);
  a.staff_notes = {upper, lower};
  a.name = gm_program_name(a.program);
  parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(pianos[1]));
  keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(pianos[1]));
  return true;
}

// Notes sounding at an onset, on average over the onsets (a four-part texture: about 4).
double mean_sounding(const Score& score, const std::vector<std::size_t>& notes) {
  std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> ends;
  std::size_t sum = 0, onsets = 0;
  for (std::size_t k = 0; k < notes.size();) {  // Score order: by onset
    const std::int64_t t = score.notes[notes[k]].start_ticks;
    for (; k < notes.size() && score.notes[notes[k]].start_ticks == t; ++k)
      ends.push(score.notes[notes[k]].end_ticks);
    while (!ends.empty() && ends.top() <= t) ends.pop();
    sum += ends.size();
    ++onsets;
  }
  return onsets ? static_cast<double>(sum) / static_cast<double>(onsets) : 0;
}

// Middle C, or the median pitch of chords lying almost all on one side of it.
int automatic_split(const Score& score, const std::vector<std::size_t>& notes) {
  constexpr int kMiddleC = 60;
  if (notes.empty()) return kMiddleC;
  std::vector<int> pitches;
  std::size_t above = 0;
  for (std::size_t i : notes) {
    pitches.push_back(score.notes[i].pitch);
    above += score.notes[i].pitch >= kMiddleC;
  }
  const double share = static_cast<double>(above) / static_cast<double>(notes.size());
  if ((share > 0.1 && share < 0.9) || mean_sounding(score, notes) < 3) return kMiddleC;
  std::nth_element(pitches.begin(),
                   pitches.begin() + static_cast<std::ptrdiff_t>(pitches.size() / 2),
                   pitches.end());
  return pitches[pitches.size() / 2];
}

void split_at_pitch(const Score& score, PartPlan& part, std::optional<int> split_pitch) {
  const int split = split_pitch ? *split_pitch : automatic_split(score, part.staff_notes[0]);
  std::vector<std::size_t> upper, lower;
  for (std::size_t i : part.staff_notes[0])
    (score.notes[i].pitch >= split ? upper : lower).push_back(i);
  part.staff_notes = {upper, lower};
}

// Diatonic position of a pitch (C4 = 28), sharps counted as the step below.
int diatonic(int pitch) {
  static constexpr int kStep[12] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6};
  return (pitch / 12 - 1) * 7 + kStep[pitch % 12];
}

double clef_cost(std::span<const int> pitches, int bottom, int top) {
  double cost = 0;
  for (int p : pitches) {
    const int d = diatonic(p);
    cost += std::max(0, bottom - 1 - d) + std::max(0, d - top - 1);
  }
  return cost;
}

}  // namespace

std::vector<PartPlan> plan_parts(const Score& score, std::optional<int> split_pitch) {
  std::map<PartKey, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < score.notes.size(); ++i) groups[key_of(score.notes[i])].push_back(i);
  std::vector<PartPlan> parts;
  std::vector<PartKey> keys;
  for (auto& [key, notes] : groups) {
    PartPlan p;
    p.channel = std::get<1>(key);
    p.drums = std::get<2>(key) < 0;
    p.program = p.drums ? 0 : std::get<2>(key);
    p.keyboard = !p.drums && is_keyboard(p.program);
    p.staff_notes.push_back(std::move(notes));
    parts.push_back(std::move(p));
    keys.push_back(key);
  }
  if (parts.empty()) {  // a score holds at least one part, even a silent one
    parts.push_back(PartPlan{gm_program_name(0), 0, 0, false, false, {{}}});
    return parts;
  }
  name_parts(score, keys, parts);
  if (!merge_hands(score, parts, keys))
    for (auto& p : parts)
      if (p.keyboard) split_at_pitch(score, p, split_pitch);
  return parts;
}

Clef choose_clef(std::span<const int> pitches, bool keyboard, bool lower_staff, int program) {
  if (pitches.empty()) return lower_staff ? Clef::bass : Clef::treble;
  struct Candidate {
    Clef clef;
    int bottom, top;  // diatonic positions of the bottom and top lines
    double handicap;  // per note
  };
  std::vector<Candidate> candidates = {{Clef::treble, 30, 38, 0}, {Clef::bass, 18, 26, 0}};
  if (!keyboard) candidates.push_back({Clef::treble_8vb, 23, 31, 0.25});
  if (!keyboard && program == 41) candidates.push_back({Clef::alto, 24, 32, -0.25});
  Clef best = candidates.front().clef;
  double best_cost = 1e300;
  for (const auto& c : candidates) {
    const double cost =
        clef_cost(pitches, c.bottom, c.top) + c.handicap * static_cast<double>(pitches.size());
    if (cost < best_cost) {
      best_cost = cost;
      best = c.clef;
    }
  }
  return best;
}

}  // namespace musegen::score
