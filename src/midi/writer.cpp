// Score -> Standard MIDI File bytes: format 1 (a conductor track with the tempo map and
// signatures, then one track per Score track) or format 0 (everything in one track).
// Events are ordered so that the reader pairs them back into exactly the same notes.
#include "midi/writer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>
#include <tuple>

#include "core/errors.h"
#include "core/file_io.h"

namespace musegen::midi {

namespace {

constexpr std::int64_t kMaxDeltaTicks = 0x0FFFFFFF;  // the largest 4-byte delta time

// One event of a track before serialisation, ordered by (tick, rank, seq).
struct WEvent {
  std::int64_t tick = 0;
  int rank = 0;  // 0 meta, 1 note-off of a sounding note, 2 program change / note-on group
  std::int64_t seq = 0;
  std::uint8_t status = 0;  // 0xFF for a meta event
  std::uint8_t data1 = 0;   // meta type for a meta event
  std::uint8_t data2 = 0;
  std::vector<std::uint8_t> meta;

  auto key() const { return std::tie(tick, rank, seq); }
};

void put_vlq(std::vector<std::uint8_t>& out, std::uint32_t value) {
  std::uint8_t buf[4];
  int n = 0;
  do {
    buf[n++] = value & 0x7F;
    value >>= 7;
  } while (value != 0 && n < 4);
  while (n > 1) out.push_back(buf[--n] | 0x80);
  out.push_back(buf[0]);
}

void put_u32be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back((v >> shift) & 0xFF);
}

// Serialises events (already in order) into one MTrk chunk, with running status.
void put_track(std::vector<std::uint8_t>& out, const std::vector<WEvent>& events) {
  std::vector<std::uint8_t> body;
  body.reserve(events.size() * 4 + 8);
  std::int64_t last_tick = 0;
  std::uint8_t running = 0;
  for (const WEvent& e : events) {
    if (e.tick - last_tick > kMaxDeltaTicks)
      throw ConfigError("ticks",
                        "a gap of " + std::to_string(e.tick - last_tick) +
                            " ticks between events exceeds what a MIDI file can hold",
                        "gaps up to 268435455 ticks");
    put_vlq(body, static_cast<std::uint32_t>(e.tick - last_tick));
    last_tick = e.tick;
    if (e.status == 0xFF) {
      body.insert(body.end(), {0xFF, e.data1});
      put_vlq(body, static_cast<std::uint32_t>(e.meta.size()));
      body.insert(body.end(), e.meta.begin(), e.meta.end());
      running = 0;  // meta events cancel running status
      continue;
    }
    if (e.status != running) body.push_back(e.status);
    running = e.status;
    body.push_back(e.data1);
    if ((e.status & 0xE0) != 0xC0) body.push_back(e.data2);
  }
  body.insert(body.end(), {0x00, 0xFF, 0x2F, 0x00});  // End-of-Track at the last event
  out.insert(out.end(), {'M', 'T', 'r', 'k'});
  put_u32be(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

WEvent meta_event(std::int64_t tick, std::uint8_t type, std::vector<std::uint8_t> data) {
  WEvent e;
  e.tick = tick;
  e.status = 0xFF;
  e.data1 = type;
  e.meta = std::move(data);
  return e;
}

void check(bool ok, const std::string& key, const std::string& detail, const std::string& allowed) {
  if (!ok) throw ConfigError(key, detail, allowed);
}

void validate(const Score& s) {
  for (std::size_t i = 0; i < s.notes.size(); ++i) {
    const Note& n = s.notes[i];
    const std::string key = "notes[" + std::to_string(i) + "].";
    check(n.pitch >= 0 && n.pitch <= 127, key + "pitch", std::to_string(n.pitch), "0..127");
    check(n.channel >= 0 && n.channel <= 15, key + "channel", std::to_string(n.channel), "0..15");
    check(n.program >= 0 && n.program <= 127, key + "program", std::to_string(n.program), "0..127");
    check(n.track >= 0 && n.track < 65535, key + "track", std::to_string(n.track), "0..65534");
    check(n.start_ticks >= 0 && n.end_ticks >= n.start_ticks, key + "ticks",
          std::to_string(n.start_ticks) + ".." + std::to_string(n.end_ticks),
          "0 <= start_ticks <= end_ticks");
  }
  for (const auto& t : s.tempos)
    check(t.tick >= 0 && t.us_per_quarter >= 1 && t.us_per_quarter <= 0xFFFFFF,
          "tempos.us_per_quarter",
          std::to_string(t.us_per_quarter) + " at tick " + std::to_string(t.tick),
          "1..16777215 at a tick >= 0");
  for (const auto& ts : s.time_signatures) {
    const int d = ts.denominator;
    check(ts.tick >= 0 && ts.numerator >= 1 && ts.numerator <= 255 && d >= 1 && d <= 128 &&
              (d & (d - 1)) == 0,
          "time_signatures", std::to_string(ts.numerator) + "/" + std::to_string(d),
          "numerator 1..255, denominator a power of two 1..128, tick >= 0");
  }
  for (const auto& ks : s.key_signatures)
    check(ks.tick >= 0 && ks.sharps >= -7 && ks.sharps <= 7, "key_signatures.sharps",
          std::to_string(ks.sharps), "-7..7 at a tick >= 0");
}

// The division field: ticks per quarter, or an SMPTE frame rate and ticks per frame whose
// product is the Score's ticks per second.
std::uint16_t division_field(const Score& s) {
  if (s.smpte_ticks_per_sec == 0) {
    check(s.ticks_per_quarter >= 1 && s.ticks_per_quarter <= 0x7FFF, "ticks_per_quarter",
          std::to_string(s.ticks_per_quarter), "1..32767");
    return static_cast<std::uint16_t>(s.ticks_per_quarter);
  }
  for (int ticks_per_frame = 1; ticks_per_frame <= 255; ++ticks_per_frame)
    for (int fps : {24, 25, 29, 30}) {
      const double rate = (fps == 29 ? 30000.0 / 1001.0 : fps) * ticks_per_frame;
      if (std::abs(rate - s.smpte_ticks_per_sec) <= 1e-9 * rate)
        return static_cast<std::uint16_t>(((256 - fps) << 8) | ticks_per_frame);
    }
  throw ConfigError("smpte_ticks_per_sec", std::to_string(s.smpte_ticks_per_sec),
                    "24, 25, 29.97 or 30 frames per second times 1..255 ticks per frame");
}

std::vector<WEvent> conductor_events(const Score& s) {
  std::vector<WEvent> events;
  for (const auto& t : s.tempos) {
    const auto us = static_cast<std::uint32_t>(t.us_per_quarter);
    events.push_back(meta_event(t.tick, 0x51,
                                {std::uint8_t(us >> 16), std::uint8_t(us >> 8), std::uint8_t(us)}));
  }
  for (const auto& ts : s.time_signatures) {
    const auto log2_denominator =
        static_cast<std::uint8_t>(std::countr_zero(static_cast<unsigned>(ts.denominator)));
    events.push_back(meta_event(
        ts.tick, 0x58, {static_cast<std::uint8_t>(ts.numerator), log2_denominator, 24, 8}));
  }
  for (const auto& ks : s.key_signatures)
    events.push_back(meta_event(
        ks.tick, 0x59,
        {static_cast<std::uint8_t>(ks.sharps), static_cast<std::uint8_t>(ks.minor ? 1 : 0)}));
  return events;
}

// Note events of the notes `indices` (one MTrk). A note that starts while an earlier note of
// its channel and pitch still sounds ends that note first, as the reader's pairing rule does.
void add_note_events(const Score& s, std::vector<std::size_t> indices,
                     std::vector<WEvent>& events) {
  auto order = [&](std::size_t a, std::size_t b) {
    const Note &x = s.notes[a], &y = s.notes[b];
    return std::tie(x.start_ticks, x.track, x.channel, x.pitch, x.end_ticks) <
           std::tie(y.start_ticks, y.track, y.channel, y.pitch, y.end_ticks);
  };
  std::stable_sort(indices.begin(), indices.end(), order);
  std::vector<std::int64_t> ends(indices.size());
  std::array<std::ptrdiff_t, 16 * 128> last;
  last.fill(-1);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const Note& n = s.notes[indices[k]];
    ends[k] = n.end_ticks;
    std::ptrdiff_t& prev = last[n.channel * 128 + n.pitch];
    if (prev >= 0 && ends[prev] > n.start_ticks) ends[prev] = n.start_ticks;
    prev = static_cast<std::ptrdiff_t>(k);
  }
  std::array<int, 16> program;
  program.fill(-1);
  std::int64_t seq = 0;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const Note& n = s.notes[indices[k]];
    const auto ch = static_cast<std::uint8_t>(n.channel);
    const auto pitch = static_cast<std::uint8_t>(n.pitch);
    if (program[ch] != n.program) {
      events.push_back({n.start_ticks,
                        2,
                        seq++,
                        std::uint8_t(0xC0 | ch),
                        static_cast<std::uint8_t>(n.program),
                        0,
                        {}});
      program[ch] = n.program;
    }
    const auto velocity = static_cast<std::uint8_t>(std::clamp(n.velocity, 1, 127));
    events.push_back({n.start_ticks, 2, seq++, std::uint8_t(0x90 | ch), pitch, velocity, {}});
    if (ends[k] == n.start_ticks)  // zero length: its off must follow its own on
      events.push_back({n.start_ticks, 2, seq++, std::uint8_t(0x90 | ch), pitch, 0, {}});
    else
      events.push_back(
          {ends[k], 1, static_cast<std::int64_t>(k), std::uint8_t(0x90 | ch), pitch, 0, {}});
  }
}

void sort_events(std::vector<WEvent>& events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const WEvent& a, const WEvent& b) { return a.key() < b.key(); });
}

std::vector<WEvent> named(const std::string& name) {
  std::vector<WEvent> events;
  if (!name.empty()) events.push_back(meta_event(0, 0x03, {name.begin(), name.end()}));
  return events;
}

}  // namespace

std::vector<std::uint8_t> write_bytes(const Score& score, const WriteOptions& options) {
  check(options.format == 0 || options.format == 1, "format", std::to_string(options.format),
        "0 or 1");
  validate(score);
  const std::uint16_t division = division_field(score);
  std::size_t n_tracks = score.tracks.size();
  for (const auto& n : score.notes) n_tracks = std::max(n_tracks, std::size_t(n.track) + 1);
  const std::size_t n_chunks = options.format == 0 ? 1 : n_tracks + 1;
  check(n_chunks <= 0xFFFF, "tracks", std::to_string(n_tracks) + " tracks",
        "at most 65534 tracks (a MIDI file holds 65535 track chunks)");

  std::vector<std::vector<WEvent>> tracks;
  if (options.format == 0) {
    std::vector<WEvent> events = conductor_events(score);
    std::vector<std::size_t> all(score.notes.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    add_note_events(score, std::move(all), events);
    sort_events(events);
    std::vector<WEvent> track = named(score.tracks.empty() ? "" : score.tracks[0].name);
    track.insert(track.end(), events.begin(), events.end());
    tracks.push_back(std::move(track));
  } else {
    tracks.push_back(conductor_events(score));
    sort_events(tracks.back());
    std::vector<std::vector<std::size_t>> by_track(n_tracks);
    for (std::size_t i = 0; i < score.notes.size(); ++i)
      by_track[score.notes[i].track].push_back(i);
    for (std::size_t t = 0; t < n_tracks; ++t) {
      std::vector<WEvent> events;
      add_note_events(score, std::move(by_track[t]), events);
      sort_events(events);
      std::vector<WEvent> track = named(t < score.tracks.size() ? score.tracks[t].name : "");
      track.insert(track.end(), events.begin(), events.end());
      tracks.push_back(std::move(track));
    }
  }
  std::vector<std::uint8_t> out = {'M', 'T', 'h', 'd', 0,
                                   0,   0,   6,   0,   static_cast<std::uint8_t>(options.format)};
  out.push_back(static_cast<std::uint8_t>(tracks.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(tracks.size()));
  out.push_back(static_cast<std::uint8_t>(division >> 8));
  out.push_back(static_cast<std::uint8_t>(division));
  for (const auto& events : tracks) put_track(out, events);
  return out;
}

void write(const Score& score, std::ostream& out, const WriteOptions& options) {
  const std::vector<std::uint8_t> bytes = write_bytes(score, options);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw IoError("<stream>", "write failed");
}

void write_file(const Score& score, const std::filesystem::path& path,
                const WriteOptions& options) {
  write_file_atomic(path, write_bytes(score, options));
}

}  // namespace musegen::midi
