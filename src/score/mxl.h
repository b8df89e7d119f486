// Compressed MusicXML (.mxl): a zip archive whose META-INF/container.xml names the score
// document. Reading is bounded, so that a zip bomb is an error and not an exhausted machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace musegen::score {

// Uncompressed bytes read from one archive entry at most; a score is far smaller.
inline constexpr std::size_t kMaxMxlEntryBytes = std::size_t{64} << 20;

// True when `bytes` start with a zip local file header ("PK\3\4").
bool is_zip(std::span<const std::uint8_t> bytes);

struct MxlDocument {
  std::string entry;  // the path of the score document inside the archive
  std::string xml;
};

// The score document of an .mxl archive: the first rootfile of META-INF/container.xml, else
// the first entry ending in .musicxml or .xml outside META-INF. Throws ParseError (`name`,
// byte 0) when the archive cannot be opened, names no score, an entry is damaged, or an entry
// holds more than kMaxMxlEntryBytes.
MxlDocument read_mxl(std::span<const std::uint8_t> bytes, const std::string& name);

}  // namespace musegen::score
