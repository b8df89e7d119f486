// Internals shared by the reader's stages: the warning sink (which throws in strict mode),
// big-endian reads from a bounded span, and the stage functions themselves.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/diagnostic.h"
#include "core/errors.h"
#include "music/events.h"

namespace musegen::midi::detail {

// Collects warnings about damaged input, or throws ParseError at the first one in strict mode.
class Reporter {
 public:
  Reporter(const std::string& file, bool strict, Diagnostics& out)
      : file_(file), strict_(strict), out_(out) {}

  // Records "FILE: byte OFFSET: MESSAGE"; throws ParseError instead when strict.
  void warn(std::int64_t byte_offset, std::string message) {
    if (strict_) throw ParseError(file_, byte_offset, std::move(message) + " (strict mode)");
    out_.push_back({file_, byte_offset, std::move(message)});
  }
  // Input that cannot be read at all: always throws ParseError.
  [[noreturn]] void fail(std::int64_t byte_offset, std::string message) const {
    throw ParseError(file_, byte_offset, std::move(message));
  }
  const std::string& file() const { return file_; }

 private:
  const std::string& file_;
  bool strict_;
  Diagnostics& out_;
};

inline std::uint32_t read_u32be(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
inline std::uint16_t read_u16be(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t read_u32le(const std::uint8_t* p) {
  return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
         std::uint32_t{p[0]};
}

// "0x9C" for a byte, for messages.
std::string hex_byte(std::uint8_t b);
// A chunk id for messages: 'MTrk' when printable, otherwise its bytes in hex.
std::string chunk_id_text(const std::uint8_t* id);

// Parses the events of one MTrk chunk body: `body` spans the chunk's data bytes (already
// clipped to the file) and starts at absolute file offset `body_offset`. Never reads outside
// `body`; stops the track (with a warning) wherever framing is lost.
EventTrack parse_track(std::span<const std::uint8_t> body, std::int64_t body_offset,
                       Reporter& reporter);

// Bytes of a MIDI text meta event as valid UTF-8: kept when already valid UTF-8, otherwise
// read as Latin-1 (what most old files use). JSON output needs valid UTF-8.
std::string text_to_utf8(const std::uint8_t* data, std::size_t size);

}  // namespace musegen::midi::detail
