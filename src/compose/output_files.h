// The files of a generated piece: one name per candidate, MIDI written and read back checked,
// WAV through FluidSynth, the piano roll as SVG. Both front ends write through these
// (compose::run).
#pragma once

#include <filesystem>
#include <string>

#include "audio/render.h"
#include "music/score.h"

namespace musegen::compose {

// "song.mid" for a single candidate; "song-1.mid", "song-2.mid", ... (index + 1) for more.
std::filesystem::path candidate_path(const std::filesystem::path& base, int index, int count);

// Writes the Score as a MIDI file (atomically), reads it back with musegen's reader and checks
// that every note came back (pitch, velocity, channel, program, start and end tick). Throws
// IoError when writing fails and musegen::Error naming the file when the check fails.
void write_midi_checked(const Score& score, const std::filesystem::path& path);

// Renders through FluidSynth and writes a WAV file; throws what audio::render_wav throws
// (IoError naming the places looked at when no soundfont is found).
void write_wav(const Score& score, const std::filesystem::path& path,
               const audio::RenderOptions& options);

// The piano roll as SVG with `title` on top. Throws IoError.
void write_svg(const Score& score, const std::filesystem::path& path, const std::string& title);

}  // namespace musegen::compose
