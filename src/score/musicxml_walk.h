// Inside the MusicXML reader: the walk through one measure of one part (notes, backup,
// forward, attributes, directions, sounds), shared by the pass that measures bar lengths and
// the pass that collects notes. Not a public interface; see musicxml_reader.h.
#pragma once

#include <cstdint>
#include <map>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "music/score.h"

namespace musegen::score::xml {

// Repairs counted by kind; one warning per kind with the first place it happened.
class Repairs {
 public:
  Repairs(std::string name, bool strict) : name_(std::move(name)), strict_(strict) {}
  // Throws ParseError in strict mode.
  void add(std::ptrdiff_t offset, const std::string& what);
  Diagnostics diagnostics() const;

 private:
  struct Kind {
    std::ptrdiff_t first_offset = 0;
    std::size_t count = 0;
  };
  std::string name_;
  bool strict_;
  std::vector<std::string> order_;
  std::map<std::string, Kind> kinds_;
};

struct Instrument {
  int channel = -1;    // 0..15, -1 when the file gives none
  int program = -1;    // 0..127
  int unpitched = -1;  // GM drum key 0..127
};

// Carried from measure to measure within a part.
struct PartState {
  double divisions = 1;  // per quarter note
  int transpose = 0;     // semitones from written to sounding pitch
  int velocity = 80;     // from the last dynamics
  TimeSignature time;    // the last one read (tick unused)
};

struct RawNote {
  std::int64_t start = 0, end = 0;  // ticks
  int pitch = 60;                   // sounding pitch, or the drum key
  int velocity = 80;
  bool drum = false;
  bool tie_start = false, tie_stop = false;
  std::string instrument;  // <instrument id>, "" when absent
  std::string voice;       // <voice>, "" when absent
  int staff = 1;           // <staff>
};

struct Collected {
  std::vector<RawNote> notes;
  std::vector<TempoChange> tempos;
  std::vector<TimeSignature> times;
  std::vector<KeySignature> keys;
};

struct WalkContext {
  int ticks_per_quarter = 480;
  const std::map<std::string, Instrument>* instruments = nullptr;  // of the part
  Repairs* repairs = nullptr;                                      // null in the measuring pass
  Collected* collected = nullptr;                                  // null in the measuring pass
  bool signatures = false;  // collect time and key signatures (the first part)
};

// Walks the music data of one measure starting at `start` ticks; returns the furthest position
// reached, in ticks from `start`. Throws ParseError (through Repairs' name) for a position
// beyond 2^40 ticks.
double walk_measure(pugi::xml_node measure, double start, PartState& state,
                    const WalkContext& context, const std::string& name);

}  // namespace musegen::score::xml
