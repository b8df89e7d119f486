// Musical metrics of a Score (torch-free): pitch, interval, rhythm, polyphony, repetition and
// scale statistics per piece, and set-level aggregates. Definitions and units: docs/metrics.md.
// Drum notes (channel 10) are left out of every pitch metric.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "music/score.h"

namespace musegen::eval {

// Counts over fixed, labelled bins.
struct Histogram {
  std::vector<std::string> labels;  // one per bin
  std::vector<double> counts;       // same size as labels, >= 0

  double total() const;
  // counts / total(); all zeros when the histogram is empty.
  std::vector<double> shares() const;
};

// Pitch metrics over pitched (non-drum) notes. With no pitched note, every number is 0 and
// every histogram count is 0.
struct PitchMetrics {
  int n_pitched_notes = 0;
  int lowest_pitch = 0, highest_pitch = 0;  // MIDI 0..127
  int pitch_range_semitones = 0;            // highest - lowest
  int n_distinct_pitches = 0;
  Histogram pitch_classes;              // 12 bins C, C#, ..., B; one count per note
  double pitch_class_entropy_bits = 0;  // Shannon entropy of pitch_classes, 0..log2(12)
};
PitchMetrics pitch_metrics(const Score& score);

// Melodic intervals: per (track, channel) stream, the highest pitch at each distinct onset
// (the skyline); an interval is the signed difference of consecutive skyline pitches.
struct IntervalMetrics {
  Histogram intervals;  // 25 bins -12..+12 semitones; larger leaps go to the end bins
  double mean_abs_interval_semitones = 0;  // unclamped; 0 when there is no interval
};
IntervalMetrics interval_metrics(const Score& score);

// Duration classes in quarter notes shared by the note-length and inter-onset histograms; a
// value goes to the class nearest on a log scale (values <= 0 to the first class).
const std::vector<double>& duration_classes_beats();
int duration_class(double beats);

// Rhythm and texture. A beat is a quarter note (Score::ticks_to_beats).
struct RhythmMetrics {
  int n_notes = 0;              // every note, drums included
  double duration_beats = 0;    // end of the last note
  Histogram note_lengths;       // pitched notes' durations, duration_classes_beats() bins
  Histogram inter_onsets;       // gaps between consecutive distinct onsets (all notes)
  double notes_per_beat = 0;    // n_notes / duration_beats
  double polyphony = 0;         // time-weighted mean number of sounding pitched notes while >= 1
  int max_polyphony = 0;        // most pitched notes sounding at once
  double empty_beat_share = 0;  // share of beats [k, k+1) that no note overlaps, 0..1
};
RhythmMetrics rhythm_metrics(const Score& score);

// Share (0..1) of n-gram occurrences whose n-gram occurs more than once in the piece. N-grams
// run over each (track, channel) stream of pitched notes ordered by (onset, pitch); tokens are
// pitches, or (pitch, duration class) with `with_duration`. Throws ConfigError (key "ngram")
// unless 1 <= n <= 64. 0 when the piece has no n-gram.
double repetition(const Score& score, int n = 4, bool with_duration = false);

// The major or natural-minor scale (24 candidates) holding the largest share of pitched notes.
struct ScaleFit {
  int tonic_pitch_class = 0;  // 0 = C .. 11 = B
  bool minor = false;
  double share = 0;          // 0..1; 0 with no pitched note
  std::string name() const;  // "C major", "F# minor"
};
ScaleFit scale_consistency(const Score& score);

struct MetricsOptions {
  int ngram = 4;  // n of the repetition metrics, 1..64
};

struct PieceMetrics {
  std::string name;  // file or label, for reports
  PitchMetrics pitch;
  IntervalMetrics interval;
  RhythmMetrics rhythm;
  double repetition_pitch = 0;
  double repetition_pitch_duration = 0;
  ScaleFit scale;
};
// Throws ConfigError for bad options.
PieceMetrics piece_metrics(const Score& score, const std::string& name,
                           const MetricsOptions& options = {});

// The scalar features by name, in a fixed order (the order reports use).
std::vector<std::pair<std::string, double>> scalar_features(const PieceMetrics& m);
// The histogram features by name, in a fixed order.
std::vector<std::pair<std::string, const Histogram*>> histogram_features(const PieceMetrics& m);

struct ScalarSummary {
  double mean = 0, std = 0;  // std: population standard deviation (0 for one piece)
  double min = 0, max = 0;
};

// A set of pieces: mean/std of each scalar, histograms pooled (counts summed over pieces).
struct SetMetrics {
  std::size_t n_pieces = 0;
  std::vector<std::pair<std::string, ScalarSummary>> scalars;  // scalar_features() order
  std::vector<std::pair<std::string, Histogram>> histograms;   // histogram_features() order
};
SetMetrics set_metrics(const std::vector<PieceMetrics>& pieces);

nlohmann::json to_json(const Histogram& h);
nlohmann::json to_json(const PieceMetrics& m);
nlohmann::json to_json(const SetMetrics& s);

}  // namespace musegen::eval
