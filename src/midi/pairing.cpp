// EventFile -> Score: pairs note-ons with note-offs (the rule documented in reader.h and
// docs/midi.md), tracks programs per (track, channel), merges the tempo map and signatures of
// all tracks, and lays format-2 patterns end to end.
#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "midi/detail.h"
#include "midi/reader.h"

namespace musegen::midi {

using detail::Reporter;

namespace {

constexpr int kDefaultUsPerQuarter = 500000;

// The sounding note of one (channel, pitch) within a track. An entry stamped for another
// track is silent, so the table never needs clearing.
struct Sounding {
  std::int32_t note = -1;     // index into Score::notes, -1 when silent
  std::uint32_t on_byte = 0;  // where its note-on is in the file
  std::uint64_t stamp = 0;    // the track this entry belongs to
  bool restruck = false;      // this note's note-on ended an earlier note at the same tick
  std::uint32_t owed_offs = 0;  // note-offs still expected for notes a re-strike ended
};

// One table per thread, reused by every read on it (32 KB: zeroing it per file would cost
// more than pairing a small file's notes).
struct SoundingTable {
  std::array<Sounding, 16 * 128> entries{};
  std::uint64_t stamp = 0;  // 64 bits: never wraps
};

SoundingTable& sounding_table() {
  thread_local SoundingTable table;
  return table;
}

// Sorts a range that is nearly in order (a track's notes: in start order, chords in file
// order) by insertion; falls back to std::sort when that turns out to cost too much.
template <typename It, typename Less>
void sort_nearly_sorted(It first, It last, Less less) {
  if (last - first < 2) return;
  std::ptrdiff_t budget = 8 * (last - first) + 64;
  for (It i = first + 1; i != last; ++i) {
    auto value = *i;
    It j = i;
    for (; j != first && less(value, *(j - 1)); --j) {
      *j = *(j - 1);
      if (--budget == 0) {
        *(j - 1) = value;  // keeps every element before giving up
        std::sort(first, last, less);
        return;
      }
    }
    *j = value;
  }
}

bool has_note_on(const EventTrack& track) {
  return std::any_of(track.channel_events.begin(), track.channel_events.end(),
                     [](const ChannelEvent& e) { return e.is_note_on(); });
}

class ScoreBuilder {
 public:
  ScoreBuilder(const EventFile& events, Reporter& rep) : events_(events), rep_(rep) {}
  Score build();
  const std::vector<std::int64_t>& restrikes() const { return restrikes_; }

 private:
  void pair_notes(const EventTrack& track, int score_track,
                  std::int64_t offset);
  void end_track(int score_track, std::int64_t end_tick);
  void add_metas(const EventTrack& track, int score_track, std::int64_t offset);

  void sort_notes();

  const EventFile& events_;
  Reporter& rep_;
  Score score_;
  SoundingTable& sounding_ = sounding_table();
  std::vector<std::uint16_t> open_keys_;  // keys (channel * 128 + pitch) a note started on
  std::vector<std::size_t> run_starts_;   // where each track's notes start in score_.notes
  std::vector<std::int64_t> restrikes_;   // per Score track
};

// Tracks are named in messages as listings number them: by Score index.
std::string track_label(int score_track) {
  return score_track < 0 ? "the conductor track" : "track " + std::to_string(score_track);
}

void ScoreBuilder::pair_notes(const EventTrack& track, int score_track,
                              std::int64_t offset) {
  std::array<int, 16> program{};  // General MIDI program 0 until a program change
  const std::uint64_t stamp = ++sounding_.stamp;
  run_starts_.push_back(score_.notes.size());
  std::size_t n_stray = 0;
  std::int64_t n_restrikes = 0;
  const ChannelEvent* first_stray = nullptr;
  for (const ChannelEvent& e : track.channel_events) {
    const int ch = e.channel();
    if (e.is_program_change()) {
      program[ch] = e.data1 & 0x7F;
      continue;
    }
    if ((e.kind() != 0x90 && e.kind() != 0x80) || e.data1 > 127) continue;
    const std::int64_t tick = std::max<std::int64_t>(e.tick, 0) + offset;
    const int key = ch * 128 + e.data1;
    Sounding& s = sounding_.entries[key];
    if (s.stamp != stamp) s = {-1, 0, stamp, false, 0};
    if (e.is_note_on()) {
      const bool restrike = s.note >= 0;
      if (restrike) {
        score_.notes[s.note].end_ticks = std::max(tick, score_.notes[s.note].start_ticks);
        ++s.owed_offs;
        ++n_restrikes;
      } else {
        open_keys_.push_back(static_cast<std::uint16_t>(key));
      }
      Note n;
      n.pitch = e.data1;
      n.velocity = std::min<int>(e.data2, 127);
      n.channel = ch;
      n.program = program[ch];
      n.track = score_track;
      n.start_ticks = n.end_ticks = tick;
      s = {static_cast<std::int32_t>(score_.notes.size()), e.byte_offset, stamp, restrike,
           s.owed_offs};
      score_.notes.push_back(n);
    } else if (s.note < 0 && s.owed_offs > 0) {
      --s.owed_offs;  // the surplus off of a re-struck pitch
    } else if (s.note < 0) {
      if (n_stray++ == 0) first_stray = &e;
    } else if (s.restruck && score_.notes[s.note].start_ticks == tick) {
      s.restruck = false;  // the off of the note this note-on re-struck, written after it
      if (s.owed_offs > 0) --s.owed_offs;
    } else {
      score_.notes[s.note].end_ticks = std::max(tick, score_.notes[s.note].start_ticks);
      s.note = -1;
    }
  }
  if (n_stray > 0)
    rep_.warn(first_stray->byte_offset,
              track_label(score_track) + ": note-off of pitch " +
                  std::to_string(first_stray->data1) + " on channel " +
                  std::to_string(first_stray->channel()) +
                  " with no note of that pitch sounding, ignored" +
                  (n_stray > 1 ? " (and " + std::to_string(n_stray - 1) + " more in this track)"
                               : std::string()));
  if (score_track >= 0) restrikes_[static_cast<std::size_t>(score_track)] = n_restrikes;
  end_track(score_track, std::max<std::int64_t>(track.end_tick, 0) + offset);
}

// Notes never turned off end at the end of their track.
void ScoreBuilder::end_track(int score_track, std::int64_t end_tick) {
  std::size_t n_open = 0;
  std::uint32_t first_byte = UINT32_MAX;
  for (std::uint16_t key : open_keys_) {
    Sounding& s = sounding_.entries[key];
    if (s.stamp != sounding_.stamp || s.note < 0) continue;
    Note& n = score_.notes[s.note];
    n.end_ticks = std::max(end_tick, n.start_ticks);
    ++n_open;
    first_byte = std::min(first_byte, s.on_byte);
    s.note = -1;
  }
  open_keys_.clear();
  if (n_open > 0)
    rep_.warn(first_byte, track_label(score_track) + ": " + std::to_string(n_open) +
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

// Score order (start, track, channel, pitch, end, velocity, program), as Score::sort_events
// gives, but sorting small keys and moving each Note once: notes are most of a read's work.
void ScoreBuilder::sort_notes() {
  struct Key {
    std::int64_t start;
    std::uint64_t where;  // track, channel, pitch
    std::int64_t end;
    std::uint32_t rest;  // velocity, program
    std::uint32_t index;
    auto tie() const { return std::tie(start, where, end, rest, index); }
  };
  auto& notes = score_.notes;
  std::vector<Key> keys(notes.size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const Note& n = notes[i];
    keys[i] = {n.start_ticks,
               (std::uint64_t(std::uint32_t(n.track)) << 16) | std::uint64_t(n.channel << 8) |
                   std::uint64_t(n.pitch),
               n.end_ticks, std::uint32_t(n.velocity << 8 | n.program), std::uint32_t(i)};
  }
  auto less = [](const Key& a, const Key& b) { return a.tie() < b.tie(); };
  // Order each track's run, then merge runs pairwise (log2(tracks) passes).
  auto at = [&](std::size_t run) { return keys.begin() + static_cast<std::ptrdiff_t>(run); };
  run_starts_.push_back(keys.size());
  const std::size_t n_runs = run_starts_.size() - 1;
  for (std::size_t r = 0; r < n_runs; ++r)
    sort_nearly_sorted(at(run_starts_[r]), at(run_starts_[r + 1]), less);
  for (std::size_t width = 1; width < n_runs; width *= 2)
    for (std::size_t r = 0; r + width < n_runs; r += 2 * width)
      std::inplace_merge(at(run_starts_[r]), at(run_starts_[r + width]),
                         at(run_starts_[std::min(r + 2 * width, n_runs)]), less);
  bool in_order = true;
  for (std::size_t i = 0; i < keys.size() && in_order; ++i) in_order = keys[i].index == i;
  if (in_order) return;
  std::vector<Note> sorted;
  sorted.reserve(notes.size());
  for (const Key& k : keys) sorted.push_back(notes[k.index]);
  notes = std::move(sorted);
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
  std::size_t n_note_ons = 0;
  for (const auto& t : tracks)
    for (const auto& e : t.channel_events) n_note_ons += e.is_note_on();
  score_.notes.reserve(n_note_ons);
  const bool conductor = events_.format == 1 && !tracks.empty() && !has_note_on(tracks[0]);
  std::int64_t offset = 0;  // format 2: where the current pattern starts
  for (std::size_t t = 0; t < tracks.size(); ++t) {
    int score_track = -1;
    if (!(conductor && t == 0)) {
      score_track = static_cast<int>(score_.tracks.size());
      score_.tracks.emplace_back();
      restrikes_.push_back(0);
    }
    const std::size_t n_tempos = score_.tempos.size();
    add_metas(tracks[t], score_track, offset);
    // Format-2 patterns are independent: one that sets no tempo at its start plays at 120 bpm.
    if (events_.format == 2 && t > 0 && n_tempos > 0 &&
        score_.tempos[n_tempos - 1].us_per_quarter != kDefaultUsPerQuarter &&
        (score_.tempos.size() == n_tempos || score_.tempos[n_tempos].tick != offset))
      score_.tempos.insert(score_.tempos.begin() + static_cast<std::ptrdiff_t>(n_tempos),
                           {offset, kDefaultUsPerQuarter});
    pair_notes(tracks[t], score_track, offset);
    if (events_.format == 2) offset += std::max<std::int64_t>(tracks[t].end_tick, 0);
  }
  keep_last_per_tick(score_.tempos);  // these also leave the lists sorted by tick
  keep_last_per_tick(score_.time_signatures);
  keep_last_per_tick(score_.key_signatures);
  sort_notes();
  score_.update_times();
  return std::move(score_);
}

}  // namespace

Score events_to_score(const EventFile& events, const std::string& name, const ReadOptions& options,
                      Diagnostics& warnings, std::vector<std::int64_t>* restrikes) {
  Reporter rep(name, options.strict, warnings);
  ScoreBuilder builder(events, rep);
  Score score = builder.build();
  if (restrikes) *restrikes = builder.restrikes();
  return score;
}

}  // namespace musegen::midi
