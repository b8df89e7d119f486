// Generated ids -> music: decoding with the model's tokenizer at the chosen tempo and General
// MIDI program, made playable (overlapping repeats of a pitch cut at the next onset, as a MIDI
// file must). Writing the music to files is compose's (compose/output_files.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

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

// A part of one voice (a singer, a wind, a solo string: gm_one_voice) moves from note to note:
// in tracks `first_track` and after, each such note ends where its track's next onset is, if it
// still sounds then. Notes that start together (a chord written in the part) are left as they
// are. Derived times are not updated.
void end_voices_at_next_onset(Score& score, int first_track = 0);

// The music of `ids` (special ids dropped): Tokenizer::decode, then the tempo and program of
// `options`; for the multitrack tokenizer end_voices_at_next_onset; then, per (track, channel,
// pitch), a note still sounding when the next one starts ends there, and notes of zero length
// are dropped, so that the Score survives a MIDI file unchanged (the tutorial's one-beat notes
// every half beat overlap). Derived times are updated.
// With a non-empty `context` (the ids before `ids`), `ids` are decoded as its continuation
// (Tokenizer::decode_continuation).
Score decode_music(const tokenize::Tokenizer& tokenizer, const tokenize::Vocabulary& vocabulary,
                   std::span<const std::int32_t> ids, const MusicOptions& options,
                   std::span<const std::int32_t> context = {});

}  // namespace musegen::generate
