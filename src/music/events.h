// The raw events of a Standard MIDI File, track by track, in file order with absolute ticks:
// what a reader saw before any note pairing. Kept apart from Score so that a consumer with its
// own pairing rules (the tutorial tokenizer reproducing music21) can work from the events.
#pragma once

#include <cstdint>
#include <vector>

namespace musegen {

// A channel-voice message (status 0x80..0xEF). data2 is 0 for 2-byte messages (C0, D0).
struct ChannelEvent {
  std::int64_t tick = 0;
  std::uint8_t status = 0;  // kind in the high nibble, channel in the low nibble
  std::uint8_t data1 = 0;
  std::uint8_t data2 = 0;
  // Where the event starts in the file it was read from (saturates at 2^32 - 1; 0 when built
  // by hand). Fits in the padding after data2, so the struct stays 16 bytes.
  std::uint32_t byte_offset = 0;

  int kind() const { return status & 0xF0; }
  int channel() const { return status & 0x0F; }
  bool is_note_on() const { return kind() == 0x90 && data2 > 0; }
  // A note-off, or a note-on with velocity 0.
  bool is_note_off() const { return kind() == 0x80 || (kind() == 0x90 && data2 == 0); }
  bool is_program_change() const { return kind() == 0xC0; }
};

// A meta event (FF type len data).
struct MetaEvent {
  std::int64_t tick = 0;
  std::uint8_t type = 0;
  std::vector<std::uint8_t> data;
  std::int64_t byte_offset = 0;  // where the event starts in the file (0 when built by hand)
};

struct EventTrack {
  std::vector<ChannelEvent> channel_events;  // file order
  std::vector<MetaEvent> meta_events;        // file order
  std::int64_t end_tick = 0;                 // tick of End-of-Track, or of the last event
};

struct EventFile {
  int format = 1;  // 0, 1 or 2
  // For metrical division, the file's ticks per quarter note. For SMPTE division, ticks per
  // quarter note at the 120 bpm convention (smpte_ticks_per_sec / 2, at least 1).
  int ticks_per_quarter = 480;
  double smpte_ticks_per_sec = 0;  // > 0 for SMPTE division
  std::vector<EventTrack> tracks;
};

}  // namespace musegen
