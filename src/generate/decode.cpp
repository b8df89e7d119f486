// Decoding generated ids to playable music (generate/decode.h).
#include "generate/decode.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "core/errors.h"
#include "music/general_midi.h"

namespace musegen::generate {

namespace {

// Cuts each note that is still sounding when the next note of its (track, channel, pitch)
// starts, and drops notes of zero length: what a MIDI file can hold.
void make_playable(Score& score) {
  auto& notes = score.notes;
  std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.track, a.channel, a.pitch, a.start_ticks, a.end_ticks) <
           std::tie(b.track, b.channel, b.pitch, b.start_ticks, b.end_ticks);
  });
  for (std::size_t i = 0; i + 1 < notes.size(); ++i) {
    Note& a = notes[i];
    const Note& b = notes[i + 1];
    if (a.track == b.track && a.channel == b.channel && a.pitch == b.pitch &&
        b.start_ticks < a.end_ticks)
      a.end_ticks = b.start_ticks;
  }
  std::erase_if(notes, [](const Note& n) { return n.end_ticks <= n.start_ticks; });
  score.sort_events();
}

}  // namespace

void end_voices_at_next_onset(Score& score, int first_track) {
  auto& notes = score.notes;
  std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
    return std::tie(a.track, a.start_ticks, a.pitch) < std::tie(b.track, b.start_ticks, b.pitch);
  });
  for (std::size_t i = 0; i < notes.size(); ++i) {
    Note& a = notes[i];
    if (a.track < first_track || a.is_drum() || !gm_one_voice(a.program)) continue;
    for (std::size_t j = i + 1; j < notes.size() && notes[j].track == a.track; ++j)
      if (notes[j].start_ticks > a.start_ticks) {
        a.end_ticks = std::min(a.end_ticks, notes[j].start_ticks);
        break;
      }
  }
}

void validate(const MusicOptions& options) {
  if (options.tempo_bpm && !(*options.tempo_bpm >= 4 && *options.tempo_bpm <= 1000))
    throw ConfigError("tempo", "out of range", "4..1000 beats per minute");
  if (options.program && (*options.program < 0 || *options.program > 127))
    throw ConfigError("program", "out of range", "0..127 or a General MIDI instrument name");
}

Score decode_music(const tokenize::Tokenizer& tokenizer, const tokenize::Vocabulary& vocabulary,
                   std::span<const std::int32_t> ids, const MusicOptions& options,
                   std::span<const std::int32_t> context) {
  validate(options);
  auto tokens_of = [&](std::span<const std::int32_t> part) {
    return vocabulary.decode(std::vector<std::int32_t>(part.begin(), part.end()));
  };
  Score score = context.empty() ? tokenizer.decode(tokens_of(ids))
                                : tokenizer.decode_continuation(tokens_of(context), tokens_of(ids));
  if (options.tempo_bpm) {
    const int us_per_quarter = static_cast<int>(std::lround(60e6 / *options.tempo_bpm));
    score.smpte_ticks_per_sec = 0;
    score.tempos = {TempoChange{0, us_per_quarter}};
  }
  if (options.program)
    for (Note& n : score.notes)
      if (!n.is_drum()) n.program = *options.program;
  if (tokenizer.name() == "multitrack") end_voices_at_next_onset(score);  // a track per part
  make_playable(score);
  score.update_times();
  return score;
}

}  // namespace musegen::generate
