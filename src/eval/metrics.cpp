// The per-piece metric families: pitch, melodic intervals, rhythm and texture, repetition and
// scale consistency (definitions in docs/metrics.md).
#include "eval/metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>

#include "core/errors.h"

namespace musegen::eval {

namespace {

constexpr std::array<const char*, 12> kPitchClassNames = {"C",  "C#", "D",  "D#", "E",  "F",
                                                          "F#", "G",  "G#", "A",  "A#", "B"};
constexpr int kMaxInterval = 12;

Histogram make_histogram(std::vector<std::string> labels) {
  Histogram h;
  h.counts.assign(labels.size(), 0.0);
  h.labels = std::move(labels);
  return h;
}

double entropy_bits(const std::vector<double>& counts) {
  double total = 0;
  for (double c : counts) total += c;
  if (total <= 0) return 0;
  double h = 0;
  for (double c : counts)
    if (c > 0) h -= c / total * std::log2(c / total);
  return h;
}

// Pitched notes per (track, channel) stream, each ordered by (onset, pitch, end).
std::map<std::pair<int, int>, std::vector<const Note*>> pitched_streams(const Score& score) {
  std::map<std::pair<int, int>, std::vector<const Note*>> streams;
  for (const auto& n : score.notes)
    if (!n.is_drum()) streams[{n.track, n.channel}].push_back(&n);
  for (auto& [key, notes] : streams)
    std::stable_sort(notes.begin(), notes.end(), [](const Note* a, const Note* b) {
      return std::tie(a->start_ticks, a->pitch, a->end_ticks) <
             std::tie(b->start_ticks, b->pitch, b->end_ticks);
    });
  return streams;
}

double length_beats(const Score& score, const Note& n) {
  return score.ticks_to_beats(n.end_ticks) - score.ticks_to_beats(n.start_ticks);
}

}  // namespace

double Histogram::total() const {
  double t = 0;
  for (double c : counts) t += c;
  return t;
}

std::vector<double> Histogram::shares() const {
  const double t = total();
  std::vector<double> out(counts.size(), 0.0);
  if (t > 0)
    for (std::size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] / t;
  return out;
}

PitchMetrics pitch_metrics(const Score& score) {
  PitchMetrics m;
  m.pitch_classes = make_histogram({kPitchClassNames.begin(), kPitchClassNames.end()});
  std::array<bool, 128> seen{};
  for (const auto& n : score.notes) {
    if (n.is_drum()) continue;
    const int pitch = std::clamp(n.pitch, 0, 127);
    if (m.n_pitched_notes == 0) m.lowest_pitch = m.highest_pitch = pitch;
    ++m.n_pitched_notes;
    m.lowest_pitch = std::min(m.lowest_pitch, pitch);
    m.highest_pitch = std::max(m.highest_pitch, pitch);
    seen[pitch] = true;
    m.pitch_classes.counts[pitch % 12] += 1;
  }
  m.pitch_range_semitones = m.highest_pitch - m.lowest_pitch;
  m.n_distinct_pitches = static_cast<int>(std::count(seen.begin(), seen.end(), true));
  m.pitch_class_entropy_bits = entropy_bits(m.pitch_classes.counts);
  return m;
}

IntervalMetrics interval_metrics(const Score& score) {
  std::vector<std::string> labels;
  for (int d = -kMaxInterval; d <= kMaxInterval; ++d) {
    std::string text = d == -kMaxInterval ? "<=" : d == kMaxInterval ? ">=" : "";
    if (d > 0) text += '+';
    text += std::to_string(d);
    labels.push_back(text);
  }
  IntervalMetrics m;
  m.intervals = make_histogram(std::move(labels));
  double abs_sum = 0;
  for (const auto& [key, notes] : pitched_streams(score)) {
    std::vector<int> skyline;  // highest pitch at each distinct onset
    for (std::size_t i = 0; i < notes.size(); ++i) {
      if (i > 0 && notes[i]->start_ticks == notes[i - 1]->start_ticks)
        skyline.back() = std::max(skyline.back(), notes[i]->pitch);
      else
        skyline.push_back(notes[i]->pitch);
    }
    for (std::size_t i = 1; i < skyline.size(); ++i) {
      const int d = skyline[i] - skyline[i - 1];
      m.intervals.counts[std::clamp(d, -kMaxInterval, kMaxInterval) + kMaxInterval] += 1;
      abs_sum += std::abs(d);
    }
  }
  const double n = m.intervals.total();
  m.mean_abs_interval_semitones = n > 0 ? abs_sum / n : 0;
  return m;
}

const std::vector<double>& duration_classes_beats() {
  static const std::vector<double> classes = {1.0 / 8, 1.0 / 6, 1.0 / 4, 1.0 / 3, 1.0 / 2,
                                              2.0 / 3, 3.0 / 4, 1.0,     1.5,     2.0,
                                              3.0,     4.0,     6.0,     8.0};
  return classes;
}

int duration_class(double beats) {
  const auto& classes = duration_classes_beats();
  if (!(beats > 0)) return 0;
  const double l = std::log2(beats);
  int best = 0;
  double best_distance = std::abs(l - std::log2(classes[0]));
  for (std::size_t i = 1; i < classes.size(); ++i) {
    const double d = std::abs(l - std::log2(classes[i]));
    if (d < best_distance) best_distance = d, best = static_cast<int>(i);
  }
  return best;
}

namespace {

Histogram duration_histogram() {
  return make_histogram(
      {"1/8", "1/6", "1/4", "1/3", "1/2", "2/3", "3/4", "1", "3/2", "2", "3", "4", "6", "8"});
}

// Mean (weighted by time in ticks, i.e. quarter notes) and maximum of the number of sounding
// pitched notes, over the time when at least one sounds.
std::pair<double, int> polyphony_of(const Score& score) {
  std::vector<std::pair<std::int64_t, int>> edges;
  for (const auto& n : score.notes) {
    if (n.is_drum() || n.end_ticks <= n.start_ticks) continue;
    edges.push_back({n.start_ticks, +1});
    edges.push_back({n.end_ticks, -1});
  }
  std::sort(edges.begin(), edges.end());  // at one tick, ends (-1) before starts
  double weighted = 0, covered = 0;
  int active = 0, max_active = 0;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i > 0 && active > 0) {
      const double span = static_cast<double>(edges[i].first - edges[i - 1].first);
      weighted += span * active;
      covered += span;
    }
    active += edges[i].second;
    max_active = std::max(max_active, active);
  }
  return {covered > 0 ? weighted / covered : 0.0, max_active};
}

double empty_beat_share_of(const Score& score, double duration_beats) {
  const auto n_beats = static_cast<std::int64_t>(std::ceil(duration_beats - 1e-9));
  if (n_beats <= 0) return 0;
  std::vector<int> diff(static_cast<std::size_t>(n_beats) + 1, 0);
  for (const auto& n : score.notes) {
    const double s = score.ticks_to_beats(n.start_ticks), e = score.ticks_to_beats(n.end_ticks);
    auto first = static_cast<std::int64_t>(std::floor(s));
    auto last = e > s ? static_cast<std::int64_t>(std::ceil(e)) - 1 : first;
    first = std::clamp<std::int64_t>(first, 0, n_beats - 1);
    last = std::clamp<std::int64_t>(last, first, n_beats - 1);
    ++diff[first];
    --diff[last + 1];
  }
  std::int64_t empty = 0;
  int covering = 0;
  for (std::int64_t b = 0; b < n_beats; ++b) {
    covering += diff[b];
    if (covering == 0) ++empty;
  }
  return static_cast<double>(empty) / static_cast<double>(n_beats);
}

}  // namespace

RhythmMetrics rhythm_metrics(const Score& score) {
  RhythmMetrics m;
  m.n_notes = static_cast<int>(score.notes.size());
  m.duration_beats = score.duration_beats();
  m.note_lengths = duration_histogram();
  m.inter_onsets = duration_histogram();
  std::vector<std::int64_t> onsets;
  for (const auto& n : score.notes) {
    onsets.push_back(n.start_ticks);
    if (!n.is_drum()) m.note_lengths.counts[duration_class(length_beats(score, n))] += 1;
  }
  std::sort(onsets.begin(), onsets.end());
  onsets.erase(std::unique(onsets.begin(), onsets.end()), onsets.end());
  for (std::size_t i = 1; i < onsets.size(); ++i) {
    const double gap = score.ticks_to_beats(onsets[i]) - score.ticks_to_beats(onsets[i - 1]);
    m.inter_onsets.counts[duration_class(gap)] += 1;
  }
  m.notes_per_beat = m.duration_beats > 0 ? m.n_notes / m.duration_beats : 0;
  std::tie(m.polyphony, m.max_polyphony) = polyphony_of(score);
  m.empty_beat_share = empty_beat_share_of(score, m.duration_beats);
  return m;
}

double repetition(const Score& score, int n, bool with_duration) {
  if (n < 1 || n > 64) throw ConfigError("ngram", "got " + std::to_string(n), "1..64");
  std::unordered_map<std::string, int> counts;
  std::size_t total = 0;
  for (const auto& [key, notes] : pitched_streams(score)) {
    if (notes.size() < static_cast<std::size_t>(n)) continue;
    std::string tokens;  // two bytes per note: pitch, duration class (or 0)
    for (const Note* note : notes) {
      tokens.push_back(static_cast<char>(note->pitch & 0x7F));
      tokens.push_back(
          static_cast<char>(with_duration ? duration_class(length_beats(score, *note)) : 0));
    }
    for (std::size_t i = 0; i + n <= notes.size(); ++i) {
      ++counts[tokens.substr(2 * i, 2 * static_cast<std::size_t>(n))];
      ++total;
    }
  }
  if (total == 0) return 0;
  std::size_t repeated = 0;
  for (const auto& [gram, count] : counts)
    if (count > 1) repeated += static_cast<std::size_t>(count);
  return static_cast<double>(repeated) / static_cast<double>(total);
}

std::string ScaleFit::name() const {
  return std::string(kPitchClassNames[tonic_pitch_class % 12]) + (minor ? " minor" : " major");
}

ScaleFit scale_consistency(const Score& score) {
  static constexpr std::array<int, 7> kMajor = {0, 2, 4, 5, 7, 9, 11};
  static constexpr std::array<int, 7> kMinor = {0, 2, 3, 5, 7, 8, 10};
  std::array<long, 12> pc{};
  long n = 0;
  for (const auto& note : score.notes)
    if (!note.is_drum()) ++pc[note.pitch % 12], ++n;
  ScaleFit best;
  long best_in = -1;
  for (int mode = 0; mode < 2; ++mode) {
    for (int tonic = 0; tonic < 12; ++tonic) {
      long in = 0;
      for (int step : mode == 0 ? kMajor : kMinor) in += pc[(tonic + step) % 12];
      // Relative major and minor share their notes: the tonic's own count breaks the tie.
      if (in > best_in || (in == best_in && pc[tonic] > pc[best.tonic_pitch_class])) {
        best_in = in;
        best.tonic_pitch_class = tonic;
        best.minor = mode == 1;
      }
    }
  }
  best.share = n > 0 ? static_cast<double>(best_in) / static_cast<double>(n) : 0;
  return best;
}

}  // namespace musegen::eval
