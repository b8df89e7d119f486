// Sampling the piano-roll GAN: per candidate, phrases generated from noise drawn from the seed
// and the candidate's number alone (consecutive phrases' noise correlated, so they follow on),
// decoded into one Score (data::rolls_to_score) and cut at the bars asked for. Torch-free
// header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "music/score.h"

namespace musegen::generate {

// Correlation of one phrase's noise with the previous one's (each stays standard normal).
inline constexpr double kPhraseNoiseCorrelation = 0.5;

struct GanRequest {
  int count = 1;           // candidates, 1..1024
  int bars = 16;           // bars of 4 quarter notes per candidate, >= 1
  std::uint64_t seed = 1;  // candidate k depends on (seed, k) only
  double bpm = 120;
  int threads = 0;  // 0: every core
};

struct GanResult {
  std::vector<Score> pieces;
  int phrases = 0;  // generated per candidate
  double elapsed_sec = 0;
  std::string engine;  // "gan generator (LibTorch), N thread(s)"
};

// Throws ConfigError for a model that is not a GAN, a bad request, or a file without its
// tracks; ParseError(name, ...) for weights that do not fit.
GanResult sample_gan(const model::Checkpoint& checkpoint, const std::string& name,
                     const GanRequest& request);

}  // namespace musegen::generate
