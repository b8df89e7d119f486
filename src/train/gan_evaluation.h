// The GAN trainer's tensors and measurements: batches of real phrases (transposed at random
// per row), the bars of phrases as piano-roll cells over 0.5, the notes' profile (per bar,
// per track, per pitch class, per length, and how often tracks rest), and one evaluation (the
// critic's Wasserstein estimate on validation phrases against phrases from fixed noise, their
// diversity and notes against real ones). Needs LibTorch; include only in .cpp files.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "data/piano_roll.h"
#include "eval/bar_diversity.h"
#include "model/gan.h"

namespace musegen::train {

// Phrases `indices` of `phrases` as a batch [n, tracks * 2, steps, pitches]; row r moved by a
// semitone count drawn in transpose_min..transpose_max from (seed, r) alone.
torch::Tensor phrase_batch(const std::vector<data::Phrase>& phrases,
                           const std::vector<std::size_t>& indices, const data::RollFormat& format,
                           int transpose_min, int transpose_max, std::uint64_t seed);

// Every bar of every phrase of `cells` [n, tracks * 2, steps, pitches]: the sounding cells at
// or over 0.5, indexed (track, step in bar, pitch).
std::vector<eval::BarCells> phrase_bars(const torch::Tensor& cells, const data::RollFormat& format);

// The notes of `cells` by the decoding rule of data::rolls_to_score (before voicing): how many
// per bar, how they share out over the tracks, over the 12 pitch classes and over lengths, and
// how often a track sounds.
struct NoteProfile {
  double notes_per_bar = 0;
  std::vector<double> track_share;        // [tracks], summing to 1 (all 0 without notes)
  std::vector<double> pitch_class_share;  // [12], C = 0, summing to 1 (all 0 without notes)
  // [5], summing to 1 (all 0 without notes): notes of 1, 2, 3-4, 5-8 and 9 or more steps.
  std::vector<double> length_share;
  double sounding_share = 0;  // of every track's steps, those where the track sounds a note
};
NoteProfile note_profile(const torch::Tensor& cells, const data::RollFormat& format);

// Half the L1 distance of two shares (total variation): 0 when alike, 1 when disjoint; 1 when
// either is all 0.
double share_distance(const std::vector<double>& a, const std::vector<double>& b);

// The mean of `cells` [n, channels, steps, pitches] per channel.
std::vector<double> channel_density(const torch::Tensor& cells);

struct GanEvaluation {
  double wasserstein = 0;  // mean critic(valid) - mean critic(generated)
  eval::Diversity diversity;
  double notes_per_bar_generated = 0, notes_per_bar_real = 0;
  // share_distance of the generated notes' pitch classes, tracks and lengths from the real
  // notes'.
  double pitch_class_distance = 0, track_distance = 0, length_distance = 0;
  // |sounding share generated - real|: voices resting more (or less) than real ones.
  double rest_distance = 0;
};

// How far the generated bars are from real ones, the GAN's checkpoint selection (lower is
// better): |ln(notes per bar generated / real)| + |ln(diversity ratio)| + the pitch-class,
// track, length and rest distances, 0 when all match; NaN (never selected) for collapsed bars
// or when either count is 0. The critic's estimate cannot select: near 0 before the critic has
// learnt anything, it picks the untrained generator. The pitch-class and track distances keep
// out bars as full and as varied in rhythm as real ones whose notes are all one pitch class in
// one voice; the length and rest distances, early phrases of scattered sixteenths with voices
// resting.
double bar_distance(const GanEvaluation& e);

// Generator and critic in eval mode, no gradients; `real` are the validation phrases (or a
// sample of the training phrases) rendered without transposition.
GanEvaluation evaluate_gan(model::GanModelImpl& gan, const torch::Tensor& real,
                           const torch::Tensor& fixed_noise, const data::RollFormat& format);

}  // namespace musegen::train
