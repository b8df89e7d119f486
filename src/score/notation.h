// Notation: a Score quantised and laid out as a player reads it (parts, staves, measures, at
// most two voices per staff, notes and rests of written values tied across beats and bar lines,
// triplets, spelled pitches). build_notation() makes it; the MusicXML writer only prints it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "music/score.h"

namespace musegen::score {

// Written note values; `whole` is four quarters. Durations below are in divisions (the
// Notation's units of a quarter note), not in these values.
enum class NoteType { whole, half, quarter, eighth, n16th, n32nd };

enum class Clef { treble, treble_8vb, bass, alto, percussion };

enum class Beam { none, begin, continue_, end, forward_hook, backward_hook };

struct Spelling {
  char step = 'C';  // 'A'..'G'
  int alter = 0;    // -2..2 semitones
  int octave = 4;   // scientific octave: C4 is MIDI 60
};

// One note head of a chord.
struct Head {
  int pitch = 60;  // MIDI pitch; for drums the GM drum key
  int velocity = 80;
  Spelling spelling;  // written position (drums: the display position)
  bool show_accidental = false;
  bool tie_start = false;  // tied to the same pitch in the next item of this voice
  bool tie_stop = false;   // continues the same pitch of the previous item
};

// A chord (heads not empty) or a rest (heads empty) in one voice.
struct Item {
  std::int64_t start = 0;     // divisions from the measure start
  std::int64_t duration = 0;  // divisions actually taken
  NoteType type = NoteType::quarter;
  int dots = 0;          // 0 or 1
  bool triplet = false;  // three in the time of two
  bool tuplet_start = false, tuplet_stop = false;
  bool measure_rest = false;  // a rest filling the whole measure (drawn centred)
  std::vector<Head> heads;    // highest first
  Beam beams[3] = {Beam::none, Beam::none, Beam::none};  // levels 1..3 (eighth..32nd)

  bool is_rest() const { return heads.empty(); }
};

struct Voice {
  int number = 1;           // 1 or 2 within its staff
  std::vector<Item> items;  // in time order, filling the measure
};

struct StaffMeasure {
  std::vector<Voice> voices;  // one or two
};

struct PartMeasure {
  std::vector<StaffMeasure> staves;  // one per staff of the part
};

struct Part {
  std::string name;                   // "Soprano", "Acoustic Grand Piano", "Drums"
  int program = 0;                    // General MIDI 0..127 (drums: 0)
  int channel = 0;                    // MIDI channel 0..15
  bool drums = false;                 // a percussion staff; heads carry GM drum keys
  std::vector<Clef> clefs;            // one per staff
  std::vector<int> drum_keys;         // drum keys used, ascending (drum parts)
  std::vector<PartMeasure> measures;  // one per Notation::measures entry
};

struct MeasureInfo {
  std::int64_t start = 0;        // divisions from the start of the piece
  std::int64_t length = 0;       // divisions
  int beats = 4, beat_type = 4;  // the time signature in force
  bool time_change = false;      // print the time signature here
  KeySignature key;              // in force (tick unused)
  bool key_change = false;       // print the key signature here
  struct Tempo {
    std::int64_t offset = 0;  // divisions from the measure start
    double bpm = 120;         // quarter notes per minute
    bool shown = false;       // a metronome mark, else playback only
  };
  std::vector<Tempo> tempos;
};

struct NotationStats {
  std::size_t n_notes_in = 0;    // pitched and drum notes of the Score
  std::size_t n_notes = 0;       // notes written (tied pieces counted once)
  std::size_t n_merged = 0;      // notes dropped: same pitch and onset after quantising
  std::size_t n_shortened = 0;   // notes cut to fit two voices or a same-pitch successor
  std::size_t n_lengthened = 0;  // notes held over a short silence (articulation) to the next onset
  std::size_t n_triplet_beats = 0;  // beats written on the triplet grid (summed over staves)
  bool key_estimated = false;       // the key came from the pitch classes, not the file
};

struct Notation {
  std::string title;
  int divisions = 12;  // per quarter note
  std::vector<MeasureInfo> measures;
  std::vector<Part> parts;
  NotationStats stats;
};

struct NotationOptions {
  std::string title;
  // Pitch at and above which a piano part's notes go to the upper staff; unset: middle C (60),
  // or the part's median pitch for chords that lie almost all on one side of it (parts.h).
  std::optional<int> split_pitch = std::nullopt;
  // Estimate the key from the pitch classes even when the file has a key signature.
  bool estimate_key = false;
  // Offer the triplet grid (eighth-note triplets) where it fits a beat better.
  bool triplets = true;
};

// Quantises and lays out `score` (see docs/notation.md for every rule). Throws ConfigError
// (key "split_pitch") for a split outside 0..127, and musegen::Error when the music would need
// more than kMaxMeasures measures.
Notation build_notation(const Score& score, const NotationOptions& options = {});

inline constexpr std::size_t kMaxMeasures = 20000;

// A note of the notation with its tied pieces joined: what a player plays.
struct NotatedNote {
  int part = 0;
  int pitch = 60;          // drums: the GM drum key
  std::int64_t start = 0;  // divisions from the start of the piece
  std::int64_t end = 0;
  int velocity = 80;

  friend bool operator==(const NotatedNote&, const NotatedNote&) = default;
};

// Every note of `notation`, sorted by (start, part, pitch, end).
std::vector<NotatedNote> notated_notes(const Notation& notation);

// The quarter-note length of a written value with `dots` dots (triplet: two thirds of it).
double quarters_of(NoteType type, int dots, bool triplet);

}  // namespace musegen::score
