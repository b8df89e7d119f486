// R2-R6 of ../shared/music21-tokens.md: tracks -> Parts, music21 5.x note-off pairing, chord
// grouping with its tolerance, raw durations and exact quantization.
#include "tokenize/music21_stream.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.h"
#include "tokenize/music21_chord.h"
#include "tokenize/music21_quantize.h"

namespace musegen::tokenize {

namespace {

constexpr std::int64_t kMaxTick = std::int64_t{1} << 58;  // quantization stays exact below
constexpr std::uint8_t kMetaTempo = 0x51;
constexpr std::uint8_t kMetaTimeSignature = 0x58;
constexpr std::uint8_t kMetaKeySignature = 0x59;

struct PairedNote {
  std::int64_t on_ticks = 0;
  std::int64_t off_ticks = 0;
  int pitch = 0;
};

void check_ticks(const EventTrack& track, std::size_t track_index) {
  auto check = [&](std::int64_t tick) {
    if (tick < 0 || tick > kMaxTick)
      throw Error("track " + std::to_string(track_index) + ": event at tick " +
                  std::to_string(tick) + " is outside the supported range 0..2^58");
  };
  for (const ChannelEvent& e : track.channel_events) check(e.tick);
  for (const MetaEvent& m : track.meta_events) check(m.tick);
}

bool has_sounding_note(const EventTrack& track) {
  return std::any_of(track.channel_events.begin(), track.channel_events.end(),
                     [](const ChannelEvent& e) { return e.is_note_on(); });
}

// R3: a note-on of velocity > 0 that is not used up starts a note, which the very next
// note-on or note-off of the same channel and pitch ends (and uses up). Unended notes are
// dropped. Result in note-on order.
std::vector<PairedNote> pair_notes(const EventTrack& track) {
  struct Slot {
    PairedNote note;
    bool ended = false;
  };
  std::vector<Slot> slots;
  std::vector<int> open(16 * 256, -1);  // (channel, data byte) -> index of its open slot
  for (const ChannelEvent& e : track.channel_events) {
    if (e.kind() != 0x80 && e.kind() != 0x90) continue;
    int& slot = open[static_cast<std::size_t>(e.channel() * 256 + e.data1)];
    if (slot >= 0) {  // this event ends the open note and is used up
      slots[static_cast<std::size_t>(slot)].note.off_ticks = e.tick;
      slots[static_cast<std::size_t>(slot)].ended = true;
      slot = -1;
    } else if (e.is_note_on()) {
      slot = static_cast<int>(slots.size());
      slots.push_back({{e.tick, e.tick, e.data1}, false});
    }
  }
  std::vector<PairedNote> notes;
  notes.reserve(slots.size());
  for (const Slot& s : slots)
    if (s.ended) notes.push_back(s.note);
  return notes;
}

bool within_tolerance(std::int64_t a, std::int64_t b, std::int64_t tpq) {
  return 16 * std::abs(a - b) <= tpq;  // |a - b| <= tpq / 16
}

// R4-R6: groups notes into chords (a note may join several chords), then quantizes.
std::vector<Music21Element> group_elements(const std::vector<PairedNote>& notes, std::int64_t tpq,
                                           int track) {
  std::vector<Music21Element> elements;
  std::vector<char> gathered(notes.size(), 0);
  for (std::size_t i = 0; i < notes.size(); ++i) {
    if (gathered[i]) continue;
    const PairedNote& first = notes[i];
    unsigned mask = pitch_class_bit(first.pitch);
    std::size_t last_added = i;
    for (std::size_t j = i + 1; j < notes.size(); ++j) {
      if (!within_tolerance(notes[j].on_ticks, first.on_ticks, tpq)) break;
      if (!within_tolerance(notes[j].off_ticks, first.off_ticks, tpq)) continue;
      mask |= pitch_class_bit(notes[j].pitch);
      gathered[j] = 1;
      last_added = j;
    }
    Music21Element element;
    element.track = track;
    element.index = static_cast<int>(elements.size());
    element.is_chord = last_added != i;
    element.pitch = first.pitch;
    element.pc_mask = mask;
    // R5: a Chord lasts from its last-added note's start to its first note's end.
    std::int64_t duration_ticks = first.off_ticks - notes[last_added].on_ticks;
    if (duration_ticks == 0) duration_ticks = tpq;  // music21 substitutes 1 quarter note
    element.offset_twelfths = music21_quantize_twelfths(first.on_ticks, tpq);
    element.duration_twelfths = music21_quantize_twelfths(duration_ticks, tpq);
    elements.push_back(element);
  }
  return elements;
}

// Offsets of the zero-length objects a track contributes: signatures, and tempi if asked.
void add_meta_offsets(const EventTrack& track, bool with_tempi, std::int64_t tpq,
                      std::int64_t& highest) {
  for (const MetaEvent& m : track.meta_events) {
    bool counts = m.type == kMetaTimeSignature || m.type == kMetaKeySignature ||
                  (with_tempi && m.type == kMetaTempo);
    if (counts) highest = std::max(highest, music21_quantize_twelfths(m.tick, tpq));
  }
}

Music21Part make_part(const EventTrack& track, int track_index, std::int64_t tpq) {
  Music21Part part;
  part.track = track_index;
  part.elements = group_elements(pair_notes(track), tpq, track_index);
  std::int64_t highest = 0;
  for (const ChannelEvent& e : track.channel_events) {
    if (!e.is_program_change()) continue;
    part.instruments.push_back({music21_quantize_twelfths(e.tick, tpq), e.data1});
    highest = std::max(highest, part.instruments.back().offset_twelfths);
  }
  for (const Music21Element& e : part.elements)
    highest = std::max(highest, e.offset_twelfths + e.duration_twelfths);
  add_meta_offsets(track, true, tpq, highest);
  part.highest_time_twelfths = highest;
  return part;
}

}  // namespace

std::int64_t music21_ticks_per_quarter(const EventFile& events) {
  if (events.format == 2) throw Error("music21 cannot read MIDI format 2 files");
  if (events.smpte_ticks_per_sec > 0) {
    // music21 reads the low byte of an SMPTE division as ticks per frame and accepts only
    // 24, 25, 29 and 30 there; EventFile keeps frames/s x ticks/frame, so test the product.
    for (double fps : {24.0, 25.0, 29.0, 29.97, 30.0})
      for (double ticks_per_frame : {24.0, 25.0, 29.0, 30.0})
        if (std::abs(fps * ticks_per_frame - events.smpte_ticks_per_sec) < 1e-6) return 1024;
    throw Error("music21 cannot read an SMPTE division of " +
                std::to_string(events.smpte_ticks_per_sec) +
                " ticks per second (it needs 24, 25, 29 or 30 ticks per frame)");
  }
  if (events.ticks_per_quarter <= 0)
    throw Error("music21 cannot read a division of " + std::to_string(events.ticks_per_quarter) +
                " ticks per quarter note");
  return events.ticks_per_quarter;
}

std::vector<Music21Part> music21_parts(const EventFile& events) {
  const std::int64_t tpq = music21_ticks_per_quarter(events);
  std::vector<Music21Part> parts;
  for (std::size_t t = 0; t < events.tracks.size(); ++t) check_ticks(events.tracks[t], t);
  for (std::size_t t = 0; t < events.tracks.size(); ++t)
    if (has_sounding_note(events.tracks[t]))
      parts.push_back(make_part(events.tracks[t], static_cast<int>(t), tpq));
  if (parts.empty())
    throw Error("no track has a sounding note (music21 cannot read a file without notes)");
  // R2: note-less tracks lend their signatures to every Part and their tempi to the first.
  for (const EventTrack& track : events.tracks) {
    if (has_sounding_note(track)) continue;
    for (std::size_t p = 0; p < parts.size(); ++p)
      add_meta_offsets(track, p == 0, tpq, parts[p].highest_time_twelfths);
  }
  return parts;
}

}  // namespace musegen::tokenize
