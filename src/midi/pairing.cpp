// EventFile -> Score: pairs note-ons with note-offs (the rule documented in reader.h and
// docs/midi.md), tracks programs per (track, channel), merges the tempo map and signatures of
// all tracks, and lays format-2 patterns end to end.
#include <algorithm>
#include <array>
#include <cmath>

#include "midi/detail.h"
#include "midi/reader.h"

namespace musegen::midi {

using detail::Reporter;

namespace {

constexpr int kDefaultUsPerQuarter = 500000;

// The sounding note of one (channel, pitch) within a track.
struct Sounding {
  std::int32_t note = -1;     // index into Score::notes, -1 when silent
  bool restruck = false;      // this note's note-on ended an earlier note at the same tick
  std::uint32_t on_byte = 0;  // where its note-on is in the file
};

bool has_note_on(const EventTrack& track) {
  return std::any_of(track.channel_events.begin(), track.channel_events.end(),
                     [](const ChannelEvent& e) { return e.is_note_on(); });
}

class ScoreBuilder {
 public:
  ScoreBuilder(const EventFile& events, Reporter& rep) : events_(events), rep_(rep) {}
  Score build();

 private:
  void pair_notes(const EventTrack& track, std::size_t track_index, int score_track,
                  std::int64_t offset);
  void end_track(std::size_t track_index, std::int64_t end_tick);
  void add_metas(const EventTrack& track, int score_track, std::int64_t offset);

  const EventFile& events_;
  Reporter& rep_;
  Score score_;
  std::array<Sounding, 16 * 128> sounding_;
};

void ScoreBuilder::pair_notes(const EventTrack& track, std::size_t track_index, int score_track,
                              std::int64_t offset) {
  sounding_.fill(Sounding{});
  std::array<int, 16> program{};  // General MIDI program 0 until a program change
  std::size_t n_stray = 0;
  const ChannelEvent* first_stray = nullptr;
  for (const ChannelEvent& e : track.channel_events) {
    const int ch = e.channel();
    if (e.is_program_change()) {
      program[ch] = e.data1 & 0x7F;
      continue;
    }
    if ((e.kind() != 0x90 && e.kind() != 0x80) || e.data1 > 127) continue;
    const std::int64_t tick = std::max<std::int64_t>(e.tick, 0) + offset;
    Sounding& s = sounding_[ch * 128 + e.data1];
    if (e.is_note_on()) {
      const bool restrike = s.note >= 0;
      if (restrike)
        score_.notes[s.note].end_ticks = std::max(tick, score_.notes[s.note].start_ticks);
      Note n;
      n.pitch = e.data1;
      n.velocity = std::min<int>(e.data2, 127);
      n.channel = ch;
      n.program = program[ch];
      n.track = score_track;
      n.start_ticks = n.end_ticks = tick;
      s = {static_cast<std::int32_t>(score_.notes.size()), restrike, e.byte_offset};
      score_.notes.push_back(n);
    } else if (s.note < 0) {
      if (n_stray++ == 0) first_stray = &e;
    } else if (s.restruck && score_.notes[s.note].start_ticks == tick) {
      s.restruck = false;  // the off of the note this note-on re-struck, written after it
    } else {
      score_.notes[s.note].end_ticks = std::max(tick, score_.notes[s.note].start_ticks);
      s.note = -1;
    }
  }
  if (n_stray > 0)
    rep_.warn(first_stray->byte_offset,
              "track " + std::to_string(track_index) + ": note-off of pitch " +
                  std::to_string(first_stray->data1) + " on channel " +
                  std::to_string(first_stray->channel()) + " without a sounding note" +
                  (n_stray > 1 ? " (and " + std::to_string(n_stray - 1) + " more in this track)"
                               : std::string()));
  end_track(track_index, std::max<std::int64_t>(track.end_tick, 0) + offset);
}

// Notes never turned off end at the end of their track.
void ScoreBuilder::end_track(std::size_t track_index, std::int64_t end_tick) {
  std::size_t n_open = 0;
  std::uint32_t first_byte = UINT32_MAX;
  for (const Sounding& s : sounding_) {
    if (s.note < 0) continue;
    Note& n = score_.notes[s.note];
    n.end_ticks = std::max(end_tick, n.start_ticks);
    ++n_open;
    first_byte = std::min(first_byte, s.on_byte);
  }
  if (n_open > 0)
    rep_.warn(first_byte, "track " + std::to_string(track_index) + ": " + std::to_string(n_open) +
                              " note(s) never turned off, ended at the track's end (tick " +
                              std::to_string(end_tick) + ")");
}

void ScoreBuilder::add_metas(const EventTrack& track, int score_track, std::int64_t offset) {
  bool named = false;
  for (const MetaEvent& m : track.meta_events) {
    const std::int64_t tick = std::max<std::int64_t>(m.tick, 0) + offset;
    const auto& d = m.data;
    // Malformed events were dropped (with a warning) by read_events; a hand-built EventFile
    // may still hold some, so the checks stay.
    if (m.type == 0x03 && score_track >= 0 && !named) {
      score_.tracks[score_track].name = detail::text_to_utf8(d.data(), d.size());
      named = true;
    } else if (m.type == 0x51 && d.size() == 3) {
      const int us = (d[0] << 16) | (d[1] << 8) | d[2];
      if (us > 0) score_.tempos.push_back({tick, us});
    } else if (m.type == 0x58 && d.size() == 4 && d[0] > 0 && d[1] <= 7) {
      score_.time_signatures.push_back({tick, d[0], 1 << d[1]});
    } else if (m.type == 0x59 && d.size() == 2) {
      const int sharps = static_cast<std::int8_t>(d[0]);
      if (sharps >= -7 && sharps <= 7 && d[1] <= 1)
        score_.key_signatures.push_back({tick, sharps, d[1] == 1});
    }
  }
}

// Several events at one tick (from several tracks, or repeated): the last in track and file
// order is the one in force.
template <typename T>
void keep_last_per_tick(std::vector<T>& list) {
  std::stable_sort(list.begin(), list.end(),
                   [](const T& a, const T& b) { return a.tick < b.tick; });
  std::vector<T> kept;
  kept.reserve(list.size());
  for (const T& x : list) {
    if (!kept.empty() && kept.back().tick == x.tick)
      kept.back() = x;
    else
      kept.push_back(x);
  }
  list = std::move(kept);
}

Score ScoreBuilder::build() {
  if (events_.smpte_ticks_per_sec > 0 && std::isfinite(events_.smpte_ticks_per_sec)) {
    score_.smpte_ticks_per_sec = events_.smpte_ticks_per_sec;
    score_.ticks_per_quarter =
        std::max(1, static_cast<int>(std::lround(std::min(events_.smpte_ticks_per_sec, 1e9) / 2)));
  } else if (events_.smpte_ticks_per_sec == 0 && events_.ticks_per_quarter > 0) {
    score_.ticks_per_quarter = events_.ticks_per_quarter;
  } else {
    rep_.fail(0, "unusable time division (" + std::to_string(events_.ticks_per_quarter) +
                     " ticks per quarter, " + std::to_string(events_.smpte_ticks_per_sec) +
                     " SMPTE ticks per second)");
  }
  const auto& tracks = events_.tracks;
  const bool conductor = events_.format == 1 && !tracks.empty() && !has_note_on(tracks[0]);
  std::int64_t offset = 0;  // format 2: where the current pattern starts
  for (std::size_t t = 0; t < tracks.size(); ++t) {
    int score_track = -1;
    if (!(conductor && t == 0)) {
      score_track = static_cast<int>(score_.tracks.size());
      score_.tracks.emplace_back();
    }
    const std::size_t n_tempos = score_.tempos.size();
    add_metas(tracks[t], score_track, offset);
    // Format-2 patterns are independent: one that sets no tempo at its start plays at 120 bpm.
    if (events_.format == 2 && t > 0 && n_tempos > 0 &&
        score_.tempos[n_tempos - 1].us_per_quarter != kDefaultUsPerQuarter &&
        (score_.tempos.size() == n_tempos || score_.tempos[n_tempos].tick != offset))
      score_.tempos.insert(score_.tempos.begin() + static_cast<std::ptrdiff_t>(n_tempos),
                           {offset, kDefaultUsPerQuarter});
    pair_notes(tracks[t], t, score_track, offset);
    if (events_.format == 2) offset += std::max<std::int64_t>(tracks[t].end_tick, 0);
  }
  keep_last_per_tick(score_.tempos);
  keep_last_per_tick(score_.time_signatures);
  keep_last_per_tick(score_.key_signatures);
  score_.sort_events();
  score_.update_times();
  return std::move(score_);
}

}  // namespace

Score events_to_score(const EventFile& events, const std::string& name, const ReadOptions& options,
                      Diagnostics& warnings) {
  Reporter rep(name, options.strict, warnings);
  return ScoreBuilder(events, rep).build();
}

}  // namespace musegen::midi
