// Generated ids -> music -> files: decoding with the model's tokenizer at the chosen tempo and
// General MIDI program, made playable (overlapping repeats of a pitch cut at the next onset, as
// a MIDI file must), and written as MIDI (read back and checked), WAV and piano-roll SVG, one
// file per candidate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "audio/render.h"
#include "music/score.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

struct MusicOptions {
  std::optional<double> tempo_bpm;  // replaces the decoded tempo map; 4..1000
  std::optional<int> program;       // General MIDI program 0..127 for every pitched note
};

// Throws ConfigError (key "tempo" or "program") for a value out of range.
void validate(const MusicOptions& options);

// The music of `ids` (special ids dropped): Tokenizer::decode, then the tempo and program of
// `options`; then, per (track, channel, pitch), a note still sounding when the next one starts
// ends there, and notes of zero length are dropped, so that the Score survives a MIDI file
// unchanged (the tutorial's one-beat notes every half beat overlap). Derived times are updated.
// With a non-empty `context` (the ids before `ids`), `ids` are decoded as its continuation
// (Tokenizer::decode_continuation).
Score decode_music(const tokenize::Tokenizer& tokenizer, const tokenize::Vocabulary& vocabulary,
                   std::span<const std::int32_t> ids, const MusicOptions& options,
                   std::span<const std::int32_t> context = {});

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

}  // namespace musegen::generate
