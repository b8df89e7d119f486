// The music the `multitrack` tokenizer keeps, as plain values: tracks with their instrument,
// bars with their time signature, tempo marks, and notes placed by (bar, position) on a grid of
// steps per quarter note. Score <-> Piece (quantisation and back) lives here; the token text
// lives in multitrack_tokenizer.h. Fill, harmonise and the controls work on Pieces too.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "music/general_midi.h"
#include "music/score.h"

namespace musegen::tokenize {

inline constexpr int kDrumInstrument = kGmDrumKit;  // the instrument number of a drum part
inline constexpr int kMaxBarQuarters = 8;    // longest bar a time signature may give (8/4)

struct PieceTrack {
  int instrument = 0;  // General MIDI program 0..127, or kDrumInstrument
  bool is_drum() const { return instrument == kDrumInstrument; }
  friend bool operator==(const PieceTrack&, const PieceTrack&) = default;
};

struct PieceBar {
  int numerator = 4;
  int denominator = 4;
  friend bool operator==(const PieceBar&, const PieceBar&) = default;
};

struct PieceTempo {
  int bar = 0;
  int position = 0;  // steps from the bar's start
  int bpm = 120;     // one of tempo_marks()
  friend bool operator==(const PieceTempo&, const PieceTempo&) = default;
};

struct PieceNote {
  int bar = 0;
  int position = 0;  // steps from the bar's start, 0 .. bar length - 1
  int track = 0;     // index into Piece::tracks
  int pitch = 60;    // 0..127 (drums: the GM drum-map key)
  int duration = 1;  // steps, >= 1
  int velocity_bin = 0;  // 1..velocity_bins, or 0 when velocities are not kept
  friend bool operator==(const PieceNote&, const PieceNote&) = default;
};

// Notes are sorted by (bar, position, track, pitch); tempo marks by (bar, position), at most
// one per place. Every bar up to the last note's exists.
struct Piece {
  int steps_per_quarter = 12;
  std::vector<PieceTrack> tracks;
  std::vector<PieceBar> bars;
  std::vector<PieceTempo> tempos;
  std::vector<PieceNote> notes;
  friend bool operator==(const Piece&, const Piece&) = default;

  int bar_steps(int bar) const;                  // length of bar `bar` in steps
  std::int64_t bar_start_step(int bar) const;    // steps from the start of the piece
  void sort();                                   // restores the documented order
};

struct PieceOptions {
  int steps_per_quarter = 12;  // a multiple of 4 (so every allowed bar is whole steps)
  int velocity_bins = 8;       // 0: velocities not kept
  int max_tracks = 16;
};

// Where a piece track came from in the Score: the Score track, MIDI channel and program of its
// notes (program 0 for drums).
struct PartSource {
  int track = 0;
  int channel = 0;
  int program = 0;
};

// What quantising a Score left out, by reason ("notes of parts beyond the 16th") -> count.
using DropCounts = std::map<std::string, std::int64_t>;

// The tempo values a piece may carry: metronome marks from 20 to 320 bpm (..., 116, 120, 126,
// ...). nearest_tempo_mark() picks the closest (by ratio).
const std::vector<int>& tempo_marks();
int nearest_tempo_mark(double bpm);
// True for N/D with D in 1, 2, 4, 8, 16, N >= 1 and a bar of at most kMaxBarQuarters quarters
// that is a whole number of steps.
bool representable_time_signature(int numerator, int denominator, int steps_per_quarter);

// Score -> Piece. Parts are the notes of one (track, channel, program) (drums: track and
// channel 10), ordered pitched before drums, by program, then by descending mean pitch (so
// Soprano comes before Alto, Violin I before Violin II), at most max_tracks. Onsets and ends are
// rounded to the nearest step (durations at least one step); a time signature takes effect at
// the first bar line at or after it; tempi become the nearest mark. Of notes of one track and
// pitch quantised onto one onset, the longest is kept. `dropped` (optional) receives counts of
// everything left out.
Piece piece_from_score(const Score& score, const PieceOptions& options,
                       DropCounts* dropped = nullptr, std::vector<PartSource>* sources = nullptr);

// Piece -> Score: one track per piece track named after its instrument ("Violin", "Violin 2"),
// pitched tracks on channels 1.. (skipping 10), drums on channel 10, one program change each;
// ticks per quarter a multiple of steps_per_quarter (480 when it divides 480); time signatures
// at their bars, tempo marks at their places (120 bpm when the piece has none at its start);
// velocities the middle of their bin (80 without bins).
// `part_names` (optional): instrument -> names of its 1st, 2nd, ... part ("Soprano", "Alto"),
// used instead of the numbered instrument name where given.
using PartNames = std::map<int, std::vector<std::string>>;
Score score_from_piece(const Piece& piece, int velocity_bins, const PartNames& part_names = {});

// Bars [first_bar, end_bar) of a piece as a piece of their own: the same tracks, those bars'
// signatures, notes starting in them (lengths kept) and tempo marks, with the tempo in force at
// first_bar's start as its opening mark. Bars are clamped to the piece's.
Piece bar_range(const Piece& piece, int first_bar, int end_bar);

// "Violin", "Drums", or the program number when it has no name.
std::string instrument_name(int instrument);
// The per-track display names of a piece: instrument names, numbered where they repeat.
std::vector<std::string> track_names(const std::vector<PieceTrack>& tracks,
                                     const PartNames& part_names = {});

}  // namespace musegen::tokenize
