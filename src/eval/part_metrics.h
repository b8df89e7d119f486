// Metrics per part (instrument): a piece's notes grouped by (track, channel, instrument),
// labelled as the multitrack tokenizer orders parts ("Violin 1", "Violin 2", "Viola",
// "Drums"), so that like parts of different pieces can be compared. docs/metrics.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/compare.h"
#include "music/score.h"

namespace musegen::eval {

struct PartMetrics {
  std::string label;   // instrument name, numbered from the highest when it repeats
  int instrument = 0;  // GM program, or 128 for drums
  int n_notes = 0;
  int lowest_pitch = 0, highest_pitch = 0;
  double mean_pitch = 0;
  double notes_per_beat = 0;       // the part's notes over the whole piece's length
  double polyphony = 0;            // time-weighted mean notes of the part sounding while >= 1
  double mean_duration_beats = 0;  // mean note length
};

// The parts of a piece, ordered pitched before drums, by program, then by descending mean
// pitch.
std::vector<PartMetrics> part_metrics(const Score& score);
// The per-part scalars by name, in a fixed order.
std::vector<std::pair<std::string, double>> part_features(const PartMetrics& m);

// Like parts (same label) of a set and a reference compared feature by feature (KDE OA/KL of
// the per-piece values), for every label both sets have.
struct PartComparison {
  std::string label;
  std::size_t n_pieces = 0, n_reference_pieces = 0;  // pieces that have the part
  std::vector<std::pair<std::string, DistributionDistance>> features;
  double mean_overlap_area = 0;
};
std::vector<PartComparison> compare_parts(const std::vector<std::vector<PartMetrics>>& pieces,
                                          const std::vector<std::vector<PartMetrics>>& reference,
                                          const KdeOptions& options = {});

nlohmann::json to_json(const PartMetrics& m);
nlohmann::json to_json(const PartComparison& c);

}  // namespace musegen::eval
