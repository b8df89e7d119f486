// All metrics of one piece, the named feature lists reports and comparisons iterate over,
// set-level aggregates, and their JSON forms.
#include <algorithm>
#include <cmath>

#include "eval/metrics.h"

namespace musegen::eval {

PieceMetrics piece_metrics(const Score& score, const std::string& name,
                           const MetricsOptions& options) {
  PieceMetrics m;
  m.name = name;
  m.repetition_pitch = repetition(score, options.ngram, false);  // validates options first
  m.repetition_pitch_duration = repetition(score, options.ngram, true);
  m.pitch = pitch_metrics(score);
  m.interval = interval_metrics(score);
  m.rhythm = rhythm_metrics(score);
  m.scale = scale_consistency(score);
  return m;
}

std::vector<std::pair<std::string, double>> scalar_features(const PieceMetrics& m) {
  return {
      {"n_notes", m.rhythm.n_notes},
      {"duration_beats", m.rhythm.duration_beats},
      {"pitch_range_semitones", m.pitch.pitch_range_semitones},
      {"n_distinct_pitches", m.pitch.n_distinct_pitches},
      {"pitch_class_entropy_bits", m.pitch.pitch_class_entropy_bits},
      {"mean_abs_interval_semitones", m.interval.mean_abs_interval_semitones},
      {"notes_per_beat", m.rhythm.notes_per_beat},
      {"polyphony", m.rhythm.polyphony},
      {"max_polyphony", m.rhythm.max_polyphony},
      {"empty_beat_share", m.rhythm.empty_beat_share},
      {"repetition_pitch", m.repetition_pitch},
      {"repetition_pitch_duration", m.repetition_pitch_duration},
      {"scale_consistency", m.scale.share},
  };
}

std::vector<std::pair<std::string, const Histogram*>> histogram_features(const PieceMetrics& m) {
  return {
      {"pitch_classes", &m.pitch.pitch_classes},
      {"pitch_intervals", &m.interval.intervals},
      {"note_lengths", &m.rhythm.note_lengths},
      {"inter_onsets", &m.rhythm.inter_onsets},
  };
}

namespace {

ScalarSummary summarise(const std::vector<double>& values) {
  ScalarSummary s;
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(squares / static_cast<double>(values.size()));
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  return s;
}

}  // namespace

SetMetrics set_metrics(const std::vector<PieceMetrics>& pieces) {
  SetMetrics set;
  set.n_pieces = pieces.size();
  // Names and bin labels come from an empty piece, so an empty set still lists every feature.
  const PieceMetrics shape = piece_metrics(Score{}, "");
  const auto scalar_names = scalar_features(shape);
  const auto histogram_names = histogram_features(shape);
  std::vector<std::vector<double>> values(scalar_names.size());
  std::vector<Histogram> pooled;
  for (const auto& [name, hist] : histogram_names) pooled.push_back(*hist);
  for (const auto& p : pieces) {
    const auto scalars = scalar_features(p);
    for (std::size_t i = 0; i < scalars.size(); ++i) values[i].push_back(scalars[i].second);
    const auto histograms = histogram_features(p);
    for (std::size_t i = 0; i < histograms.size(); ++i)
      for (std::size_t b = 0; b < pooled[i].counts.size(); ++b)
        pooled[i].counts[b] += histograms[i].second->counts.at(b);
  }
  for (std::size_t i = 0; i < scalar_names.size(); ++i)
    set.scalars.push_back({scalar_names[i].first, summarise(values[i])});
  for (std::size_t i = 0; i < histogram_names.size(); ++i)
    set.histograms.push_back({histogram_names[i].first, std::move(pooled[i])});
  return set;
}

nlohmann::json to_json(const Histogram& h) {
  return {{"labels", h.labels}, {"counts", h.counts}, {"shares", h.shares()}};
}

nlohmann::json to_json(const PieceMetrics& m) {
  nlohmann::json j;
  j["name"] = m.name;
  if (m.pitch.n_pitched_notes > 0) {
    j["lowest_pitch"] = m.pitch.lowest_pitch;
    j["highest_pitch"] = m.pitch.highest_pitch;
    j["scale"] = m.scale.name();
  } else {
    j["lowest_pitch"] = j["highest_pitch"] = j["scale"] = nullptr;
  }
  for (const auto& [name, value] : scalar_features(m)) j[name] = value;
  for (const auto& [name, hist] : histogram_features(m)) j["histograms"][name] = to_json(*hist);
  return j;
}

nlohmann::json to_json(const SetMetrics& s) {
  nlohmann::json j;
  j["n_pieces"] = s.n_pieces;
  j["scalars"] = nlohmann::json::object();
  for (const auto& [name, v] : s.scalars)
    j["scalars"][name] = {{"mean", v.mean}, {"std", v.std}, {"min", v.min}, {"max", v.max}};
  j["histograms"] = nlohmann::json::object();
  for (const auto& [name, h] : s.histograms) j["histograms"][name] = to_json(h);
  return j;
}

}  // namespace musegen::eval
