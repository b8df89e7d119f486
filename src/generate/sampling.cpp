// Greedy, temperature, top-k and top-p choice of the next token.
#include "generate/sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/errors.h"

namespace musegen::generate {

namespace {

// Ids ordered by decreasing logit, lower id first among equals: the first `keep` of them
// exactly (the rest unordered), so top-k needs no full sort.
std::vector<int> ranked_ids(std::span<const float> logits, std::size_t keep) {
  std::vector<int> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  auto before = [&](int a, int b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  if (keep >= order.size())
    std::sort(order.begin(), order.end(), before);
  else
    std::partial_sort(order.begin(), order.begin() + keep, order.end(), before);
  return order;
}

}  // namespace

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

double log_sum_exp(std::span<const float> logits) {
  if (logits.empty()) return -std::numeric_limits<double>::infinity();
  const double max_logit = logits[argmax(logits)];
  if (!std::isfinite(max_logit)) return max_logit;
  double total = 0;
  for (float l : logits) total += std::exp(l - max_logit);
  return max_logit + std::log(total);
}

std::vector<double> sampling_distribution(std::span<const float> logits,
                                          const SamplingOptions& options) {
  const std::size_t n = logits.size();
  std::vector<double> probs(n, 0.0);
  if (n == 0) return probs;
  const double max_logit = logits[argmax(logits)];
  if (options.top_k == 0 && options.top_p >= 1.0) {  // plain softmax: no ranking needed
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
      total += probs[i] = std::exp((logits[i] - max_logit) / options.temperature);
    for (auto& p : probs) p /= total;
    return probs;
  }
  std::size_t keep = n;
  if (options.top_k > 0) keep = std::min<std::size_t>(keep, options.top_k);
  const std::vector<int> order = ranked_ids(logits, options.top_p < 1.0 ? n : keep);
  double total = 0;
  for (std::size_t r = 0; r < keep; ++r)
    total += probs[order[r]] = std::exp((logits[order[r]] - max_logit) / options.temperature);
  if (options.top_p < 1.0) {
    // The smallest prefix of the ranking whose mass reaches top_p.
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
