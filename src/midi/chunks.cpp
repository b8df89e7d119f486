// The container level of a MIDI file: the RIFF RMID wrapper, the MThd header and the walk
// over chunks (tracks parsed, unknown chunks skipped, garbage and miscounts repaired).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "midi/detail.h"
#include "midi/reader.h"

namespace musegen::midi {

using detail::read_u16be;
using detail::read_u32be;
using detail::read_u32le;
using detail::Reporter;

namespace {

// Where the SMF bytes are inside the input: [begin, end) as absolute offsets.
struct Region {
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool has_id(std::span<const std::uint8_t> bytes, std::size_t at, const char* id) {
  return at + 4 <= bytes.size() && std::memcmp(bytes.data() + at, id, 4) == 0;
}

std::string first_bytes_text(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return "an empty file";
  std::string out = "bytes";
  for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 4); ++i) {
    out.push_back(' ');  // appended piece by piece: GCC 12 warns falsely on " " + std::string
    out.append(detail::hex_byte(bytes[i]));
  }
  return out;
}

// Finds the 'data' chunk of a RIFF RMID file (chunks are padded to even lengths).
Region unwrap_rmid(std::span<const std::uint8_t> bytes, Reporter& rep) {
  if (bytes.size() < 12) rep.fail(bytes.size(), "file ends inside the RIFF header");
  if (!has_id(bytes, 8, "RMID"))
    rep.fail(8, "RIFF file of type " + detail::chunk_id_text(bytes.data() + 8) +
                    ", expected 'RMID' (MIDI)");
  std::size_t riff_end = 8 + std::size_t{read_u32le(bytes.data() + 4)};
  if (riff_end > bytes.size()) {
    rep.warn(4, "RIFF length runs past the end of the file by " +
                    std::to_string(riff_end - bytes.size()) + " bytes");
    riff_end = bytes.size();
  }
  std::size_t at = 12;
  while (at + 8 <= riff_end) {
    const std::size_t size = read_u32le(bytes.data() + at + 4);
    if (has_id(bytes, at, "data")) {
      Region r{at + 8, at + 8 + size};
      if (r.end > riff_end) {
        rep.warn(at + 4, "RMID 'data' chunk length runs past the end of the RIFF data by " +
                             std::to_string(r.end - riff_end) + " bytes");
        r.end = riff_end;
      }
      return r;
    }
    at += 8 + size + (size & 1);
  }
  rep.fail(12, "RIFF RMID wrapper with no 'data' chunk: expected MIDI data inside");
}

// Reads MThd into `file`; returns the absolute offset just past the header chunk.
std::size_t read_header(std::span<const std::uint8_t> bytes, Region r, EventFile& file,
                        int& n_tracks_declared, Reporter& rep) {
  if (!has_id(bytes, r.begin, "MThd") || r.begin + 4 > r.end)
    rep.fail(r.begin, "not a MIDI file: expected 'MThd' or a RIFF RMID header, found " +
                          first_bytes_text(bytes.subspan(r.begin, r.end - r.begin)));
  if (r.end - r.begin < 14) rep.fail(r.end, "file ends inside the MThd header (14 bytes expected)");
  const std::uint8_t* h = bytes.data() + r.begin;
  const std::uint32_t length = read_u32be(h + 4);
  if (length < 6) rep.fail(r.begin + 4, "header length " + std::to_string(length) + ", expected 6");
  file.format = read_u16be(h + 8);
  n_tracks_declared = read_u16be(h + 10);
  const std::uint16_t division = read_u16be(h + 12);
  if (division == 0) rep.fail(r.begin + 12, "time division of 0 ticks per quarter note");
  if (division & 0x8000) {
    const int fps = -static_cast<std::int8_t>(division >> 8);
    const int ticks_per_frame = division & 0xFF;
    if (fps != 24 && fps != 25 && fps != 29 && fps != 30)
      rep.fail(r.begin + 12,
               "SMPTE format " + std::to_string(-fps) + ", expected -24, -25, -29 or -30");
    if (ticks_per_frame == 0) rep.fail(r.begin + 13, "SMPTE division with 0 ticks per frame");
    // -29 is drop-frame 30 fps: 30000/1001 frames per second of real time.
    const double frames_per_sec = fps == 29 ? 30000.0 / 1001.0 : fps;
    file.smpte_ticks_per_sec = frames_per_sec * ticks_per_frame;
    file.ticks_per_quarter =
        std::max(1, static_cast<int>(std::lround(file.smpte_ticks_per_sec / 2)));
  } else {
    file.ticks_per_quarter = division;
  }
  if (file.format > 2) {
    rep.warn(r.begin + 8, "unknown format " + std::to_string(file.format) + ", read as format 1");
    file.format = 1;
  }
  const std::size_t header_end = r.begin + 8 + std::size_t{length};
  if (header_end <= r.end) return header_end;
  // A damaged length with a track right after the 6 standard bytes is unambiguous.
  if (!has_id(bytes, r.begin + 14, "MTrk"))
    rep.fail(r.begin + 4, "header length " + std::to_string(length) +
                              " runs past the end of the file, expected 6");
  rep.warn(r.begin + 4,
           "header length " + std::to_string(length) + " runs past the end of the file; read as 6");
  return r.begin + 14;
}

// Searches for the next "MTrk" at or after `from`; returns `end` when there is none.
std::size_t find_track_id(std::span<const std::uint8_t> bytes, std::size_t from, std::size_t end) {
  static const char kId[] = "MTrk";
  auto first = bytes.begin() + static_cast<std::ptrdiff_t>(from);
  auto last = bytes.begin() + static_cast<std::ptrdiff_t>(end);
  auto it = std::search(first, last, kId, kId + 4);
  return static_cast<std::size_t>(it - bytes.begin());
}

bool printable_id(const std::uint8_t* id) {
  return std::all_of(id, id + 4, [](std::uint8_t c) { return c >= 0x20 && c < 0x7F; });
}

// Walks the chunks after the header, parsing tracks. Returns when the region is used up.
void read_chunks(std::span<const std::uint8_t> bytes, std::size_t at, std::size_t end,
                 EventFile& file, Reporter& rep) {
  while (at < end) {
    if (end - at < 8 || !printable_id(bytes.data() + at)) {
      const std::size_t next = end - at < 8 ? end : find_track_id(bytes, at + 1, end);
      if (next == end) {
        rep.warn(at, std::to_string(end - at) + " bytes of garbage after the last track ignored");
        return;
      }
      rep.warn(at, std::to_string(next - at) + " bytes of garbage before a track chunk skipped");
      at = next;
      continue;  // re-checks that a whole chunk header fits
    }
    const std::uint8_t* id = bytes.data() + at;
    std::size_t chunk_end = at + 8 + std::size_t{read_u32be(id + 4)};
    const bool is_track = std::memcmp(id, "MTrk", 4) == 0;
    if (chunk_end > end) {
      rep.warn(at + 4, (is_track ? "track" : detail::chunk_id_text(id)) +
                           " chunk length runs past the end of the file by " +
                           std::to_string(chunk_end - end) + " bytes");
      if (!is_track) return;
      chunk_end = end;
    }
    if (is_track)
      file.tracks.push_back(detail::parse_track(bytes.subspan(at + 8, chunk_end - at - 8),
                                                static_cast<std::int64_t>(at + 8), rep));
    at = chunk_end;  // unknown chunks are skipped without a warning, as the SMF spec asks
  }
}

}  // namespace

EventFile read_events(std::span<const std::uint8_t> bytes, const std::string& name,
                      const ReadOptions& options, Diagnostics& warnings) {
  Reporter rep(name, options.strict, warnings);
  Region region{0, bytes.size()};
  if (has_id(bytes, 0, "RIFF")) region = unwrap_rmid(bytes, rep);
  EventFile file;
  int n_tracks_declared = 0;
  const std::size_t at = read_header(bytes, region, file, n_tracks_declared, rep);
  read_chunks(bytes, at, region.end, file, rep);
  const int n_tracks = static_cast<int>(file.tracks.size());
  if (n_tracks != n_tracks_declared)
    rep.warn(region.begin + 10, "header declares " + std::to_string(n_tracks_declared) +
                                    " tracks, found " + std::to_string(n_tracks));
  if (file.format == 0 && n_tracks > 1)
    rep.warn(region.begin + 8,
             "format 0 file with " + std::to_string(n_tracks) + " tracks; all are read");
  return file;
}

}  // namespace musegen::midi
