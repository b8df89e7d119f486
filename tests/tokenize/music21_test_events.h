// Test helpers for the tutorial tokenizer: raw MIDI event files built in code, track by
// track in file order, and the events a MIDI writer would produce for a Score.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "music/events.h"
#include "music/score.h"

namespace musegen::testing {

// Appends events in call order (the file order music21 pairs by).
struct TrackBuilder {
  EventTrack track;

  TrackBuilder& on(std::int64_t tick, int pitch, int velocity = 100, int channel = 0) {
    return add(tick, 0x90 | channel, pitch, velocity);
  }
  // A real note-off, or (as_zero_velocity_on) a note-on with velocity 0.
  TrackBuilder& off(std::int64_t tick, int pitch, int channel = 0, bool as_zero_on = false) {
    return add(tick, (as_zero_on ? 0x90 : 0x80) | channel, pitch, 0);
  }
  TrackBuilder& program(std::int64_t tick, int program, int channel = 0) {
    return add(tick, 0xC0 | channel, program, 0);
  }
  TrackBuilder& controller(std::int64_t tick, int number, int value, int channel = 0) {
    return add(tick, 0xB0 | channel, number, value);
  }
  TrackBuilder& meta(std::int64_t tick, int type) {
    track.meta_events.push_back({tick, static_cast<std::uint8_t>(type), {}});
    return *this;
  }
  TrackBuilder& add(std::int64_t tick, int status, int data1, int data2) {
    track.channel_events.push_back({tick, static_cast<std::uint8_t>(status),
                                    static_cast<std::uint8_t>(data1),
                                    static_cast<std::uint8_t>(data2)});
    return *this;
  }
};

// Notes given as (pitch, on, off) in any order, written as a sequencer would: events sorted
// by tick, note-offs before note-ons at the same tick, notes in the given order otherwise.
struct SimpleNote {
  int pitch;
  std::int64_t on_ticks;
  std::int64_t off_ticks;
};
inline EventTrack notes_track(const std::vector<SimpleNote>& notes, int program = -1) {
  struct Item {
    std::int64_t tick;
    int order;  // 0 program, 1 off, 2 on
    ChannelEvent event;
  };
  std::vector<Item> items;
  if (program >= 0) items.push_back({0, 0, {0, 0xC0, static_cast<std::uint8_t>(program), 0}});
  for (const auto& n : notes) {
    auto pitch = static_cast<std::uint8_t>(n.pitch);
    items.push_back({n.on_ticks, 2, {n.on_ticks, 0x90, pitch, 100}});
    items.push_back({n.off_ticks, 1, {n.off_ticks, 0x80, pitch, 0}});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
  });
  EventTrack track;
  for (const auto& item : items) track.channel_events.push_back(item.event);
  return track;
}

inline EventFile event_file(std::vector<EventTrack> tracks, int ticks_per_quarter = 480) {
  EventFile file;
  file.format = tracks.size() == 1 ? 0 : 1;
  file.ticks_per_quarter = ticks_per_quarter;
  file.tracks = std::move(tracks);
  return file;
}

// The events of a Score's notes, one EventTrack per Score track, with each note's program
// change at tick 0 when `with_programs` (what a MIDI writer emits for a piano score).
inline EventFile score_events(const Score& score, bool with_programs = true) {
  std::vector<EventTrack> tracks(std::max<std::size_t>(1, score.tracks.size()));
  std::vector<std::vector<SimpleNote>> notes(tracks.size());
  for (const Note& n : score.notes)
    notes[static_cast<std::size_t>(n.track)].push_back({n.pitch, n.start_ticks, n.end_ticks});
  for (std::size_t t = 0; t < tracks.size(); ++t)
    tracks[t] = notes_track(notes[t], with_programs ? 0 : -1);
  return event_file(std::move(tracks), score.ticks_per_quarter);
}

}  // namespace musegen::testing
