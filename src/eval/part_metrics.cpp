// Part metrics: grouping, ordering and labelling parts, their scalars, and the comparison of
// like parts between two sets.
#include "eval/part_metrics.h"

#include <algorithm>
#include <map>

#include "music/general_midi.h"
#include "music/parts.h"

namespace musegen::eval {

namespace {

// Time-weighted mean of the number of the group's notes sounding, over the time >= 1 sounds.
double polyphony_of(const std::vector<const Note*>& notes) {
  std::vector<std::pair<double, int>> edges;
  for (const Note* n : notes) {
    if (n->end_beats <= n->start_beats) continue;
    edges.push_back({n->start_beats, +1});
    edges.push_back({n->end_beats, -1});
  }
  std::sort(edges.begin(), edges.end());
  double weighted = 0, sounding_time = 0, last = 0;
  int depth = 0;
  for (const auto& [t, step] : edges) {
    if (depth > 0) {
      weighted += depth * (t - last);
      sounding_time += t - last;
    }
    depth += step;
    last = t;
  }
  return sounding_time > 0 ? weighted / sounding_time : 0;
}

}  // namespace

std::vector<PartMetrics> part_metrics(const Score& score) {
  const double piece_beats = score.duration_beats();
  const auto groups = note_parts(score);
  std::map<int, int> total, seen;
  for (const auto& g : groups) ++total[g.instrument];
  std::vector<PartMetrics> parts;
  for (const auto& g : groups) {
    PartMetrics m;
    m.instrument = g.instrument;
    m.label = gm_instrument_name(g.instrument);
    if (total[g.instrument] > 1) m.label.append(" ").append(std::to_string(++seen[g.instrument]));
    m.n_notes = static_cast<int>(g.notes.size());
    m.lowest_pitch = 127;
    double length = 0;
    for (const Note* n : g.notes) {
      m.lowest_pitch = std::min(m.lowest_pitch, n->pitch);
      m.highest_pitch = std::max(m.highest_pitch, n->pitch);
      length += n->end_beats - n->start_beats;
    }
    m.mean_pitch = g.mean_pitch;
    m.notes_per_beat = piece_beats > 0 ? m.n_notes / piece_beats : 0;
    m.polyphony = polyphony_of(g.notes);
    m.mean_duration_beats = length / m.n_notes;
    parts.push_back(m);
  }
  return parts;
}

std::vector<std::pair<std::string, double>> part_features(const PartMetrics& m) {
  return {{"lowest_pitch", m.lowest_pitch},         {"highest_pitch", m.highest_pitch},
          {"mean_pitch", m.mean_pitch},             {"notes_per_beat", m.notes_per_beat},
          {"polyphony", m.polyphony},               {"mean_duration_beats", m.mean_duration_beats}};
}

std::vector<PartComparison> compare_parts(const std::vector<std::vector<PartMetrics>>& pieces,
                                          const std::vector<std::vector<PartMetrics>>& reference,
                                          const KdeOptions& options) {
  // label -> feature -> per-piece values, for each side
  using Values = std::map<std::string, std::vector<std::vector<double>>>;
  auto collect = [](const std::vector<std::vector<PartMetrics>>& set) {
    Values values;
    for (const auto& parts : set)
      for (const auto& p : parts) {
        auto& columns = values[p.label];
        const auto features = part_features(p);
        columns.resize(features.size());
        for (std::size_t f = 0; f < features.size(); ++f) columns[f].push_back(features[f].second);
      }
    return values;
  };
  const Values ours = collect(pieces), theirs = collect(reference);
  std::vector<PartComparison> out;
  const auto names = part_features(PartMetrics{});
  for (const auto& [label, columns] : ours) {
    auto it = theirs.find(label);
    if (it == theirs.end()) continue;
    PartComparison c{label, columns[0].size(), it->second[0].size(), {}, 0};
    for (std::size_t f = 0; f < names.size(); ++f) {
      c.features.emplace_back(names[f].first, kde_distance(columns[f], it->second[f], options));
      c.mean_overlap_area += c.features.back().second.overlap_area / static_cast<double>(names.size());
    }
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json to_json(const PartMetrics& m) {
  nlohmann::json j = {{"label", m.label}, {"instrument", m.instrument}, {"notes", m.n_notes}};
  for (const auto& [name, value] : part_features(m)) j[name] = value;
  return j;
}

nlohmann::json to_json(const PartComparison& c) {
  nlohmann::json features = nlohmann::json::object();
  for (const auto& [name, d] : c.features) features[name] = to_json(d);
  return {{"label", c.label},
          {"pieces", c.n_pieces},
          {"reference_pieces", c.n_reference_pieces},
          {"features", features},
          {"mean_overlap_area", c.mean_overlap_area}};
}

}  // namespace musegen::eval
