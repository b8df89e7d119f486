// Writing generated music to files (compose/output_files.h).
#include "compose/output_files.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "core/errors.h"
#include "midi/reader.h"
#include "midi/writer.h"
#include "music/piano_roll_svg.h"

namespace musegen::compose {

namespace {

using NoteKey = std::tuple<int, int, int, int, std::int64_t, std::int64_t>;

std::vector<NoteKey> note_keys(const Score& score) {
  std::vector<NoteKey> keys;
  for (const Note& n : score.notes)
    keys.emplace_back(n.pitch, n.velocity, n.channel, n.program, n.start_ticks, n.end_ticks);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

std::filesystem::path candidate_path(const std::filesystem::path& base, int index, int count) {
  if (count <= 1) return base;
  std::filesystem::path path = base;
  path.replace_filename(base.stem().string() + "-" + std::to_string(index + 1) +
                        base.extension().string());
  return path;
}

void write_midi_checked(const Score& score, const std::filesystem::path& path) {
  midi::write_file(score, path);
  const midi::ReadResult back = midi::read_file(path);
  if (back.score.ticks_per_quarter != score.ticks_per_quarter ||
      note_keys(back.score) != note_keys(score)) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // no file that is not the music
    throw Error(path.string() +
                ": the written MIDI file does not read back with the generated "
                "notes (" +
                std::to_string(back.score.notes.size()) + " of " +
                std::to_string(score.notes.size()) + " notes)");
  }
}

void write_wav(const Score& score, const std::filesystem::path& path,
               const audio::RenderOptions& options) {
  audio::render_wav(score, path, options);
}

void write_svg(const Score& score, const std::filesystem::path& path, const std::string& title) {
  PianoRollOptions options;
  options.title = title;
  write_piano_roll_svg(score, path, options);
}

}  // namespace musegen::compose
