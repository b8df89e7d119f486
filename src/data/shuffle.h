// Portable deterministic randomness for the data stage: a SplitMix64 stream, string hashing and
// a Fisher-Yates shuffle whose result depends only on the seed (never on the standard library's
// distribution implementation), so splits and epoch orders are the same with every compiler.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace musegen::data {

// SplitMix64's finaliser: a bijective mix of 64 bits.
std::uint64_t mix64(std::uint64_t x);
// FNV-1a over the bytes of `text`, continuing from `hash`.
std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash = 0xcbf29ce484222325ULL);

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform integer in [0, bound), bound >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

// Shuffles `values` in place with a generator seeded by `seed`.
template <typename T>
void shuffle_with_seed(std::vector<T>& values, std::uint64_t seed) {
  SplitMix64 rng(seed);
  for (std::size_t i = values.size(); i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(rng.below(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace musegen::data
