// Score: the in-memory music the whole project shares. Notes carry their times in ticks
// (the truth), and in quarter notes and seconds derived through the tempo map.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace musegen {

inline constexpr int kDrumChannel = 9;  // MIDI channel 10, 0-based

struct Note {
  int pitch = 60;     // 0..127
  int velocity = 64;  // 1..127 (a velocity-0 note-on is a note-off)
  int channel = 0;    // 0..15
  int program = 0;    // General MIDI program 0..127 in force on the channel at the note's start
  int track = 0;      // index into Score::tracks
  std::int64_t start_ticks = 0;
  std::int64_t end_ticks = 0;  // >= start_ticks
  // Derived by Score::update_times(); never set by hand.
  double start_beats = 0, end_beats = 0;  // quarter notes
  double start_sec = 0, end_sec = 0;

  bool is_drum() const { return channel == kDrumChannel; }
  std::int64_t duration_ticks() const { return end_ticks - start_ticks; }
};

struct TempoChange {
  std::int64_t tick = 0;
  int us_per_quarter = 500000;  // microseconds per quarter note, 1..0xFFFFFF
  double bpm() const { return 60e6 / us_per_quarter; }
};

struct TimeSignature {
  std::int64_t tick = 0;
  int numerator = 4;
  int denominator = 4;  // a power of two
};

struct KeySignature {
  std::int64_t tick = 0;
  int sharps = 0;  // -7..7, negative for flats
  bool minor = false;
};

struct Track {
  std::string name;
};

// Notes are kept sorted by (start_ticks, track, channel, pitch, end_ticks); tempo, time and
// key signature lists by tick. Keep that order when editing (sort_events() restores it).
struct Score {
  int ticks_per_quarter = 480;
  // For SMPTE time division: ticks per second (frames/s x ticks/frame); 0 for metrical time.
  // With SMPTE time, seconds come from ticks directly and beats assume 120 bpm.
  double smpte_ticks_per_sec = 0;
  std::vector<Track> tracks;
  std::vector<Note> notes;
  std::vector<TempoChange> tempos;
  std::vector<TimeSignature> time_signatures;
  std::vector<KeySignature> key_signatures;

  // Recomputes every note's beats and seconds from its ticks through the tempo map.
  void update_times();
  // Restores the canonical order of notes and of the tempo/signature lists.
  void sort_events();

  // Tick -> seconds / quarter notes through the tempo map (120 bpm before the first tempo).
  double ticks_to_seconds(std::int64_t tick) const;
  double ticks_to_beats(std::int64_t tick) const;
  // Seconds -> nearest tick (inverse of ticks_to_seconds).
  std::int64_t seconds_to_ticks(double seconds) const;

  // End of the last note, in ticks / seconds / quarter notes (0 for an empty score).
  std::int64_t end_ticks() const;
  double duration_sec() const { return ticks_to_seconds(end_ticks()); }
  double duration_beats() const { return ticks_to_beats(end_ticks()); }
  // Lowest and highest pitch over pitched (non-drum) notes; nullopt when there are none.
  std::optional<std::pair<int, int>> pitch_range() const;
  // Notes sounding at `tick`: start_ticks <= tick < end_ticks.
  std::vector<Note> notes_sounding_at(std::int64_t tick) const;
  // Moves every pitched note by `semitones`; drums are untouched. Throws ConfigError (key
  // "semitones") if a note would leave 0..127.
  void transpose(int semitones);
  // True when transposing by `semitones` keeps every pitched note within 0..127.
  bool can_transpose(int semitones) const;
};

// Compares the musical content (ticks, pitches, velocities, channels, programs, tracks,
// tempo map, signatures, track names, division); derived times are not compared.
bool same_music(const Score& a, const Score& b);

}  // namespace musegen
