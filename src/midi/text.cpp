// Text helpers for the reader: hex and chunk-id spelling for messages, and MIDI text bytes
// (often Latin-1) as valid UTF-8.
#include <cstdio>

#include "midi/detail.h"

namespace musegen::midi::detail {

std::string hex_byte(std::uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

std::string chunk_id_text(const std::uint8_t* id) {
  bool printable = true;
  for (int i = 0; i < 4; ++i) printable = printable && id[i] >= 0x20 && id[i] < 0x7F;
  std::string out;  // appended piece by piece (GCC 12 warns falsely on "'" + std::string)
  if (printable) {
    out.push_back('\'');
    out.append(reinterpret_cast<const char*>(id), 4);
    out.push_back('\'');
    return out;
  }
  for (int i = 0; i < 4; ++i) {
    if (i) out.push_back(' ');
    out.append(hex_byte(id[i]));
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence at `p` (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF), or 0 when the bytes there are not valid UTF-8.
std::size_t utf8_sequence_length(const std::uint8_t* p, std::size_t left) {
  const std::uint8_t b = p[0];
  if (b < 0x80) return 1;
  std::size_t n;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (left < n || p[1] < lo || p[1] > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return n;
}

}  // namespace

std::string text_to_utf8(const std::uint8_t* data, std::size_t size) {
  bool valid = true;
  for (std::size_t i = 0; i < size && valid;) {
    const std::size_t n = utf8_sequence_length(data + i, size - i);
    valid = n > 0;
    i += n;
  }
  if (valid) return std::string(reinterpret_cast<const char*>(data), size);
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint8_t b = data[i];
    if (b < 0x80) {
      out += static_cast<char>(b);
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

}  // namespace musegen::midi::detail
