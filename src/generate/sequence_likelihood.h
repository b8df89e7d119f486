// The log-probability a model gives a token sequence after a context, read through the same
// stepping engine generation uses (teacher forcing, one row, state carried): how likely the
// original bars of a gap are, or the bars after it once the gap is written.
#pragma once

#include <cstdint>
#include <span>

#include "generate/step_engine.h"

namespace musegen::generate {

struct SequenceLikelihood {
  double log_prob = 0;   // sum over `tokens` of log p(token | everything before), nats
  std::int64_t n = 0;    // tokens scored
  double nll_per_token() const { return n > 0 ? -log_prob / static_cast<double>(n) : 0.0; }
};

// `context` (>= 1 id) is fed first; then every id of `tokens` is scored and fed. Throws what
// StepEngine::feed throws for ids outside the vocabulary.
SequenceLikelihood sequence_likelihood(StepEngine& engine, std::span<const std::int32_t> context,
                                       std::span<const std::int32_t> tokens);

}  // namespace musegen::generate
