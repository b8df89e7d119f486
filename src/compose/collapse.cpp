// One pitch throughout, or one bar repeated throughout (see collapse.h).
#include "compose/collapse.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "music/bars.h"
#include "music/general_midi.h"

namespace musegen::compose {

namespace {

constexpr std::size_t kMinNotes = 8;
constexpr std::size_t kMinBars = 4;

// Each bar's (offset in the bar, pitch) pairs, sorted; bars in order.
std::vector<std::vector<std::pair<std::int64_t, int>>> bar_contents(const Score& music) {
  const std::vector<Bar> bars = bars_of(music);
  std::vector<std::vector<std::pair<std::int64_t, int>>> contents(bars.size());
  for (const Note& n : music.notes) {
    auto it = std::upper_bound(bars.begin(), bars.end(), n.start_ticks,
                               [](std::int64_t t, const Bar& b) { return t < b.start_ticks; });
    if (it == bars.begin()) continue;
    const auto index = static_cast<std::size_t>(it - bars.begin() - 1);
    contents[index].push_back({n.start_ticks - bars[index].start_ticks, n.pitch});
  }
  for (auto& bar : contents) std::sort(bar.begin(), bar.end());
  return contents;
}

}  // namespace

std::optional<std::string> collapse_warning(const Score& piece) {
  Score music = piece;  // drum patterns repeat by nature: judged on the pitched notes
  std::erase_if(music.notes, [](const Note& n) { return n.is_drum(); });
  if (music.notes.size() < kMinNotes) return std::nullopt;
  std::set<int> pitches;
  for (const Note& n : music.notes) pitches.insert(n.pitch);
  if (pitches.size() == 1)
    return "collapsed: every one of its " + std::to_string(music.notes.size()) + " notes is " +
           pitch_name(*pitches.begin());
  const auto bars = bar_contents(music);
  if (bars.size() < kMinBars) return std::nullopt;
  // The last bar may be cut short by the end of generation: judge the bars before it.
  for (std::size_t i = 1; i + 1 < bars.size(); ++i)
    if (bars[i] != bars[0]) return std::nullopt;
  if (bars[0].empty()) return std::nullopt;
  return "collapsed: its first bar (" + std::to_string(bars[0].size()) +
         " notes) repeats in every one of its " + std::to_string(bars.size()) + " bars";
}

}  // namespace musegen::compose
