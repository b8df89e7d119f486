// Piano-roll phrases, the GAN's representation: a Score's parts as tracks on a grid of steps
// (a bar is 4 quarter notes; 16 steps a bar by default) over a range of pitches, cut into
// phrases of a few bars; rendered as dense cells (per track a "sounding" and an "onset" plane,
// so repeated notes stay apart) and decoded back into a Score. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "music/score.h"

namespace musegen::data {

struct RollFormat {
  int tracks = 4;          // parts kept; parts beyond the last join it
  int bars = 4;            // per phrase
  int steps_per_bar = 16;  // a bar is 4 quarter notes; a multiple of 4
  int pitch_low = 24;      // lowest pitch kept
  int pitch_high = 107;    // highest pitch kept (84 pitches by default)

  int pitches() const { return pitch_high - pitch_low + 1; }
  int steps() const { return bars * steps_per_bar; }
  int steps_per_quarter() const { return steps_per_bar / 4; }
  // Cells of one phrase, laid out [track][plane (0 sounding, 1 onset)][step][pitch].
  std::size_t cells() const;
  std::size_t cell(int track, int plane, int step, int pitch_index) const;
};

// A format from the gan_* keys of a GAN's model configuration.
RollFormat roll_format_of(int tracks, int bars, int steps_per_bar, int pitch_low, int pitch_high);

// Throws ConfigError naming the gan_* key that is out of range.
void validate(const RollFormat& format);

// A note of a phrase: its track, pitch (MIDI), first step within the phrase and length.
struct RollNote {
  std::uint8_t track = 0;
  std::uint8_t pitch = 60;
  std::uint16_t start = 0;
  std::uint16_t steps = 1;
  bool onset = true;  // false for a note that began before the phrase (cut at its start)
};

struct Phrase {
  std::vector<RollNote> notes;
  std::string file;   // where it came from (relative path)
  int first_bar = 0;  // its first bar in that file
};

struct RollStats {
  std::size_t notes = 0;               // pitched notes placed on the grid
  std::size_t notes_out_of_range = 0;  // outside pitch_low..pitch_high (left out)
  std::size_t drum_notes = 0;          // drums have no pitch in a roll (left out)
};

// The phrases of `score`: one starting at every bar (so phrases overlap) that holds a note,
// notes cut at the phrase's ends. Tracks are the parts in music/parts.h order.
std::vector<Phrase> score_phrases(const Score& score, const RollFormat& format, RollStats& stats);

// Writes a phrase's cells (0 or 1) into `out` (format.cells() floats), the notes moved by
// `semitones`; notes leaving the range are left out.
void render_phrase(const Phrase& phrase, const RollFormat& format, int semitones,
                   std::span<float> out);

// How decoding writes a track.
struct RollTrack {
  int program = 0;
  std::string name;
  // One note at a time: at each step only the most likely sounding pitch is kept (a voice of
  // a chorale); otherwise every cell over the threshold sounds.
  bool monophonic = false;
};

// A Score from consecutive phrases' cells ([n_phrases][format.cells()] probabilities, laid
// end to end in time): a note starts where a cell sounds (>= 0.5) after silence or with its
// onset (>= 0.5), and lasts while it sounds without a new onset. Track k goes to channel k
// (skipping the drum channel) with tracks[k]'s program and name, velocity 80, at `bpm`.
// Throws ConfigError when `cells` is not a whole number of phrases or tracks don't match.
Score rolls_to_score(std::span<const float> cells, const RollFormat& format,
                     const std::vector<RollTrack>& tracks, double bpm);

}  // namespace musegen::data
