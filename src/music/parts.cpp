// Grouping a Score's notes into parts and ordering them.
#include "music/parts.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "music/general_midi.h"

namespace musegen {

std::vector<NotePart> note_parts(const Score& score) {
  std::map<std::tuple<int, int, int>, std::size_t> index;
  std::vector<NotePart> parts;
  for (std::size_t i = 0; i < score.notes.size(); ++i) {
    const Note& n = score.notes[i];
    const int instrument = n.is_drum() ? kGmDrumKit : n.program;
    auto [it, added] = index.emplace(std::make_tuple(n.track, n.channel, instrument), parts.size());
    if (added)
      parts.push_back({n.track, n.channel, n.is_drum() ? 0 : n.program, instrument, i, 0, {}});
    parts[it->second].notes.push_back(&n);
  }
  for (auto& p : parts) {
    double sum = 0;
    for (const Note* n : p.notes) sum += n->pitch;
    p.mean_pitch = sum / static_cast<double>(p.notes.size());
  }
  std::stable_sort(parts.begin(), parts.end(), [](const NotePart& a, const NotePart& b) {
    if (a.instrument != b.instrument) return a.instrument < b.instrument;
    if (a.mean_pitch != b.mean_pitch) return a.mean_pitch > b.mean_pitch;
    return std::tie(a.track, a.channel) < std::tie(b.track, b.channel);
  });
  return parts;
}

}  // namespace musegen
