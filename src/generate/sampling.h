// Choosing the next token from a vector of logits: greedy (the tutorial's argmax),
// temperature, top-k and top-p (nucleus) sampling. A pure function of the logits, the
// options and an explicit RNG, so the same seed gives the same choice. Torch-free.
#pragma once

#include <span>
#include <vector>

#include "core/rng.h"

namespace musegen::generate {

struct SamplingOptions {
  bool greedy = false;       // argmax, ties to the lowest id (the tutorial's np.argmax)
  double temperature = 1.0;  // > 0; at or below kGreedyTemperature sampling becomes greedy
  int top_k = 0;             // keep the k most likely ids; 0 keeps all; 1 is greedy
  double top_p = 1.0;        // keep the smallest set of most likely ids whose mass >= top_p
};

inline constexpr double kGreedyTemperature = 1e-4;

// Throws ConfigError naming the option ("temperature", "top_k", "top_p") when out of range.
void validate(const SamplingOptions& options);

// The distribution sampling draws from: softmax(logits / temperature), restricted to the
// top-k / top-p set and renormalised. Ids outside the set get probability 0. Logits may be
// -infinity (masked ids: probability 0) but not all of them. Among equal logits the lower id
// ranks first (as in a stable sort), so the top-k / top-p sets are well defined.
std::vector<double> sampling_distribution(std::span<const float> logits,
                                          const SamplingOptions& options);

// Index of the largest logit (the lowest index among equals).
int argmax(std::span<const float> logits);

// The chosen id. Greedy when options.greedy, top_k == 1 or temperature <= kGreedyTemperature;
// otherwise one uniform draw from `rng` against the cumulative distribution.
// Draws nothing from `rng` when greedy.
int sample_token(std::span<const float> logits, const SamplingOptions& options, Rng& rng);

// log(sum(exp(logits))), computed stably; -infinity for an empty or all -infinity span.
double log_sum_exp(std::span<const float> logits);

}  // namespace musegen::generate
