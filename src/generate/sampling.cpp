// Greedy, temperature, top-k and top-p choice of the next token.
#include "generate/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.h"

namespace musegen::generate {

void validate(const SamplingOptions& options) {
  if (!(options.temperature > 0) || !std::isfinite(options.temperature))
    throw ConfigError("temperature", "must be a positive number", "> 0");
  if (options.top_k < 0) throw ConfigError("top_k", "must not be negative", "0 (all) or 1..");
  if (!(options.top_p > 0 && options.top_p <= 1))
    throw ConfigError("top_p", "must be in (0, 1]", "0 < top_p <= 1");
}

int argmax(std::span<const float> logits) {
  int best = 0;
  for (std::size_t i = 1; i < logits.size(); ++i)
    if (logits[i] > logits[best]) best = static_cast<int>(i);
  return best;
}

std::vector<double> sampling_distribution(std::span<const float> logits,
                                          const SamplingOptions& options) {
  const std::size_t n = logits.size();
  std::vector<double> probs(n, 0.0);
  if (n == 0) return probs;
  // Ids by decreasing logit; stable so equal logits keep id order.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return logits[a] > logits[b]; });
  std::size_t keep = n;
  if (options.top_k > 0) keep = std::min<std::size_t>(keep, options.top_k);
  const double max_logit = logits[order[0]];
  double total = 0;
  for (std::size_t r = 0; r < keep; ++r) {
    int id = order[r];
    probs[id] = std::exp((logits[id] - max_logit) / options.temperature);
    total += probs[id];
  }
  if (options.top_p < 1.0) {
    double mass = 0;
    std::size_t r = 0;
    for (; r < keep; ++r) {
      mass += probs[order[r]] / total;
      if (mass >= options.top_p) break;
    }
    for (std::size_t cut = r + 1; cut < keep; ++cut) probs[order[cut]] = 0;
    keep = std::min(keep, r + 1);
    total = 0;
    for (std::size_t k = 0; k < keep; ++k) total += probs[order[k]];
  }
  for (auto& p : probs) p /= total;
  return probs;
}

int sample_token(std::span<const float> logits, const SamplingOptions& options, Rng& rng) {
  if (options.greedy || options.top_k == 1 || options.temperature <= kGreedyTemperature)
    return argmax(logits);
  std::vector<double> probs = sampling_distribution(logits, options);
  double u = rng.uniform();
  double cumulative = 0;
  int last_nonzero = argmax(logits);
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] <= 0) continue;
    cumulative += probs[i];
    last_nonzero = static_cast<int>(i);
    if (u < cumulative) return static_cast<int>(i);
  }
  return last_nonzero;  // rounding left u just above the total
}

}  // namespace musegen::generate
