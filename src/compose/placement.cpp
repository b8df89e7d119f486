// Piece notes into a Score: steps to ticks, parts to tracks.
#include "compose/placement.h"

#include <algorithm>
#include <tuple>

#include "tokenize/token_utils.h"

namespace musegen::compose {

std::int64_t step_ticks(const Score& score, std::int64_t step, int steps_per_quarter) {
  const std::int64_t num = step * score.ticks_per_quarter;
  return (2 * num + steps_per_quarter) / (2 * steps_per_quarter);
}

void place_notes(const tokenize::Piece& piece, const std::vector<tokenize::PartSource>& sources,
                 const std::vector<bool>* only, std::int64_t start_ticks, std::int64_t end_ticks,
                 const tokenize::PieceOptions& options, Score& out) {
  std::vector<std::int64_t> bar_steps(piece.bars.size() + 1, 0);
  for (std::size_t b = 0; b < piece.bars.size(); ++b)
    bar_steps[b + 1] = bar_steps[b] + piece.bar_steps(static_cast<int>(b));
  const int spq = options.steps_per_quarter;
  for (const auto& pn : piece.notes) {
    const auto t = static_cast<std::size_t>(pn.track);
    if (t >= sources.size() || (only && !(*only)[t])) continue;
    if (static_cast<std::size_t>(pn.bar) >= piece.bars.size()) continue;
    const std::int64_t onset = bar_steps[static_cast<std::size_t>(pn.bar)] + pn.position;
    Note n;
    n.pitch = pn.pitch;
    n.velocity = pn.velocity_bin > 0 && options.velocity_bins > 0
                     ? tokenize::bin_to_middle_velocity(pn.velocity_bin, options.velocity_bins)
                     : 80;
    n.track = sources[t].track;
    n.channel = sources[t].channel;
    n.program = sources[t].program;
    n.start_ticks = start_ticks + step_ticks(out, onset, spq);
    n.end_ticks = start_ticks + step_ticks(out, onset + pn.duration, spq);
    if (end_ticks > 0) n.end_ticks = std::min(n.end_ticks, end_ticks);
    if (n.end_ticks > n.start_ticks) out.notes.push_back(n);
  }
}

void resolve_key_collisions(Score& out, std::size_t first_generated) {
  auto same_key = [](const Note& a, const Note& b) {
    return a.track == b.track && a.channel == b.channel && a.pitch == b.pitch;
  };
  const auto kept_end = out.notes.begin() + static_cast<std::ptrdiff_t>(first_generated);
  std::vector<Note> generated(kept_end, out.notes.end());
  out.notes.erase(kept_end, out.notes.end());
  std::sort(generated.begin(), generated.end(), [](const Note& a, const Note& b) {
    return std::tie(a.track, a.channel, a.pitch, a.start_ticks) <
           std::tie(b.track, b.channel, b.pitch, b.start_ticks);
  });
  for (std::size_t i = 0; i < generated.size(); ++i) {
    Note& g = generated[i];
    for (const Note& k : out.notes) {
      if (!same_key(g, k)) continue;
      if (k.start_ticks <= g.start_ticks && g.start_ticks < k.end_ticks)
        g.end_ticks = g.start_ticks;
      if (g.start_ticks < k.start_ticks && k.start_ticks < g.end_ticks) g.end_ticks = k.start_ticks;
    }
    if (i + 1 < generated.size() && same_key(g, generated[i + 1]))
      g.end_ticks = std::min(g.end_ticks, generated[i + 1].start_ticks);
  }
  for (const Note& g : generated)
    if (g.end_ticks > g.start_ticks) out.notes.push_back(g);
}

}  // namespace musegen::compose
