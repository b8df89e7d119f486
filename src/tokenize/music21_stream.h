// music21 5.x's reading of raw MIDI events into Parts of Notes and Chords (rules R2-R6 of
// ../shared/music21-tokens.md): which tracks become Parts, how note-offs pair, how notes
// group into chords, and the quantized offsets and durations.
#pragma once

#include <cstdint>
#include <vector>

#include "music/events.h"

namespace musegen::tokenize {

// A Note (one pitch) or a Chord (a pitch-class set) of a Part, with quantized times.
struct Music21Element {
  std::int64_t offset_twelfths = 0;    // quantized start, twelfths of a quarter note
  std::int64_t duration_twelfths = 0;  // quantized duration (0 for very short elements)
  int track = 0;                       // index of the MIDI track
  int index = 0;                       // creation rank within the track (note-on order)
  bool is_chord = false;
  int pitch = 0;         // a Note's MIDI pitch (the raw data byte, not clipped)
  unsigned pc_mask = 0;  // a Chord's pitch classes (bit p for pitch class p)
};

// A program change of a Part: an Instrument at its quantized offset.
struct Music21Instrument {
  std::int64_t offset_twelfths = 0;
  int program = 0;  // 0-based, the raw data byte
};

struct Music21Part {
  int track = 0;
  std::vector<Music21Element> elements;        // creation order (= offset order)
  std::vector<Music21Instrument> instruments;  // file order
  // The Part's highest time: max of offset + duration over elements and of the offsets of
  // its zero-length objects (instruments, signatures, tempi, conductor copies).
  std::int64_t highest_time_twelfths = 0;
};

// The ticks per quarter music21 uses for a file: the metrical division, or 1024 for SMPTE
// time. Throws musegen::Error where music21 raises: format 2, division 0, or an SMPTE
// division whose ticks per frame (as music21 reads it) is not 24, 25, 29 or 30.
std::int64_t music21_ticks_per_quarter(const EventFile& events);

// One Part per track with a NOTE_ON of velocity > 0, in track order. Throws musegen::Error
// as music21_ticks_per_quarter() does, when no track has a sounding note (music21's
// converter.parse fails), or for ticks beyond 2^58. Messages name no file.
std::vector<Music21Part> music21_parts(const EventFile& events);

}  // namespace musegen::tokenize
