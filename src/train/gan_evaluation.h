// The GAN trainer's tensors and measurements: batches of real phrases (transposed at random
// per row), the bars of phrases as piano-roll cells over 0.5, notes per bar, and one
// evaluation (the critic's Wasserstein estimate on validation phrases against phrases from
// fixed noise, their diversity against real bars). Needs LibTorch; include only in .cpp files.
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

// Notes per bar of `cells` by the decoding rule of data::rolls_to_score (before voicing).
double notes_per_bar(const torch::Tensor& cells, const data::RollFormat& format);

struct GanEvaluation {
  double wasserstein = 0;  // mean critic(valid) - mean critic(generated)
  eval::Diversity diversity;
  double notes_per_bar_generated = 0, notes_per_bar_real = 0;
};

// How far the generated bars are from real ones, the GAN's checkpoint selection (lower is
// better): |ln(notes per bar generated / real)| + |ln(diversity ratio)|, 0 when both match;
// NaN (never selected) for collapsed bars or when either count is 0. The critic's estimate
// cannot select: near 0 before the critic has learnt anything, it picks the untrained
// generator.
double bar_distance(const GanEvaluation& e);

// Generator and critic in eval mode, no gradients; `real` are the validation phrases (or a
// sample of the training phrases) rendered without transposition.
GanEvaluation evaluate_gan(model::GanModelImpl& gan, const torch::Tensor& real,
                           const torch::Tensor& fixed_noise, const data::RollFormat& format);

}  // namespace musegen::train
