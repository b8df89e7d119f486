// Test helper: builds Standard MIDI File bytes in code, event by event, including damaged
// forms (wrong lengths, missing End-of-Track, raw garbage) that the reader must survive.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace musegen::midi::testing {

using Bytes = std::vector<std::uint8_t>;

inline void append_vlq(Bytes& out, std::uint32_t value) {
  std::uint8_t buf[5];
  int n = 0;
  do {
    buf[n++] = value & 0x7F;
    value >>= 7;
  } while (value != 0);
  while (n > 1) out.push_back(buf[--n] | 0x80);
  out.push_back(buf[0]);
}

inline void append_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back((v >> shift) & 0xFF);
}

// The body of one MTrk chunk. Each call appends a delta time and an event.
class TrackBytes {
 public:
  TrackBytes& on(std::uint32_t delta, int ch, int pitch, int velocity) {
    return event(delta, {std::uint8_t(0x90 | ch), std::uint8_t(pitch), std::uint8_t(velocity)});
  }
  TrackBytes& off(std::uint32_t delta, int ch, int pitch, int velocity = 64) {
    return event(delta, {std::uint8_t(0x80 | ch), std::uint8_t(pitch), std::uint8_t(velocity)});
  }
  TrackBytes& program(std::uint32_t delta, int ch, int program) {
    return event(delta, {std::uint8_t(0xC0 | ch), std::uint8_t(program)});
  }
  TrackBytes& meta(std::uint32_t delta, std::uint8_t type, const Bytes& data) {
    append_vlq(bytes, delta);
    bytes.push_back(0xFF);
    bytes.push_back(type);
    append_vlq(bytes, static_cast<std::uint32_t>(data.size()));
    bytes.insert(bytes.end(), data.begin(), data.end());
    return *this;
  }
  TrackBytes& tempo(std::uint32_t delta, std::uint32_t us_per_quarter) {
    return meta(delta, 0x51,
                {std::uint8_t(us_per_quarter >> 16), std::uint8_t(us_per_quarter >> 8),
                 std::uint8_t(us_per_quarter)});
  }
  TrackBytes& name(const std::string& text) {
    return meta(0, 0x03, Bytes(text.begin(), text.end()));
  }
  TrackBytes& end(std::uint32_t delta = 0) { return meta(delta, 0x2F, {}); }
  // A delta time followed by raw event bytes (running status, SysEx, damage).
  TrackBytes& event(std::uint32_t delta, std::initializer_list<std::uint8_t> raw) {
    append_vlq(bytes, delta);
    bytes.insert(bytes.end(), raw);
    return *this;
  }
  TrackBytes& raw(std::initializer_list<std::uint8_t> raw) {
    bytes.insert(bytes.end(), raw);
    return *this;
  }

  Bytes bytes;
};

// A whole file: header, then chunks appended in order.
class SmfBytes {
 public:
  // `division` is the raw 16-bit field (ticks per quarter, or SMPTE when bit 15 is set).
  SmfBytes(int format, int n_tracks, std::uint16_t division) {
    bytes = {'M',
             'T',
             'h',
             'd',
             0,
             0,
             0,
             6,
             0,
             std::uint8_t(format),
             std::uint8_t(n_tracks >> 8),
             std::uint8_t(n_tracks),
             std::uint8_t(division >> 8),
             std::uint8_t(division)};
  }
  SmfBytes& track(const TrackBytes& t) { return chunk("MTrk", t.bytes); }
  // A chunk whose length field says `length` whatever the data (for damaged files).
  SmfBytes& track_with_length(const TrackBytes& t, std::uint32_t length) {
    bytes.insert(bytes.end(), {'M', 'T', 'r', 'k'});
    append_u32(bytes, length);
    bytes.insert(bytes.end(), t.bytes.begin(), t.bytes.end());
    return *this;
  }
  SmfBytes& chunk(const char* id, const Bytes& data) {
    bytes.insert(bytes.end(), id, id + 4);
    append_u32(bytes, static_cast<std::uint32_t>(data.size()));
    bytes.insert(bytes.end(), data.begin(), data.end());
    return *this;
  }
  SmfBytes& raw(const Bytes& data) {
    bytes.insert(bytes.end(), data.begin(), data.end());
    return *this;
  }

  Bytes bytes;
};

// Wraps SMF bytes in a RIFF RMID container (with an INFO list before the data chunk).
inline Bytes rmid_wrap(const Bytes& smf) {
  auto le32 = [](Bytes& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back((v >> (8 * i)) & 0xFF);
  };
  Bytes body = {'R', 'M', 'I', 'D', 'L', 'I', 'S', 'T'};
  le32(body, 5);
  body.insert(body.end(), {'I', 'N', 'F', 'O', 'x', 0});  // odd length: one pad byte
  body.insert(body.end(), {'d', 'a', 't', 'a'});
  le32(body, static_cast<std::uint32_t>(smf.size()));
  body.insert(body.end(), smf.begin(), smf.end());
  Bytes out = {'R', 'I', 'F', 'F'};
  le32(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace musegen::midi::testing
