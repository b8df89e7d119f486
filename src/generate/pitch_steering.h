// Steering over the pitch tokens ("p:N") every pitch-token tokenizer writes (notes, multitrack):
// a key (hard mask or penalty), a pitch range, and a repetition guard against the "one note
// repeating" failure: a penalty on recently drawn pitches and a cap on an n-gram of pitches
// repeating. Also SteeringChain, several steerings applied in order. Torch-free.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "generate/steering.h"
#include "music/keys.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

struct PitchRequest {
  std::optional<Scale> scale;           // pitches outside get scale_penalty
  double scale_penalty = -INFINITY;     // -infinity: a hard mask
  std::optional<std::pair<int, int>> range;  // lowest..highest pitch allowed
  // Pitches among the last `repetition_window` pitch tokens: positive logits divided by this,
  // negative ones multiplied (as in CTRL); 1: off.
  double repetition_penalty = 1.0;
  int repetition_window = 16;
  // > 0: a pitch may not complete an n-gram (this many pitch tokens) that already occurred
  // twice in the row's last 64 pitch tokens. 0: off.
  int no_repeat_ngram = 0;
  // When it returns true for a row, that row's next pitch token is not a pitch (a drum key of
  // a multitrack drum part): left alone and not remembered. Null: every p:N is a pitch.
  std::function<bool(int row)> not_a_pitch;
};

class PitchSteering final : public Steering {
 public:
  // Pitch tokens are the vocabulary's "p:N". Throws ConfigError when it has none.
  PitchSteering(const tokenize::Vocabulary& vocabulary, PitchRequest request);
  void start(int rows, std::span<const std::int32_t> primer) override;
  int steer(int row, std::span<float> logits) override;
  void took(int row, std::int32_t token) override;
  bool done(int) const override { return false; }
  void reorder(std::span<const int> source) override;

 private:
  bool blocked_by_ngram(const std::vector<int>& history, int pitch) const;
  std::vector<int> pitch_of_;  // per id: the pitch of a "p:N" token, -1 otherwise
  PitchRequest request_;
  std::vector<std::vector<int>> history_;  // per row: pitches drawn, most recent last
};

// Applies each steering in turn: the first that forces a token decides; otherwise the logits
// go through all of them.
class SteeringChain final : public Steering {
 public:
  void add(std::unique_ptr<Steering> steering);
  bool empty() const { return parts_.empty(); }
  void start(int rows, std::span<const std::int32_t> primer) override;
  int steer(int row, std::span<float> logits) override;
  void took(int row, std::int32_t token) override;
  bool done(int row) const override;
  void reorder(std::span<const int> source) override;

 private:
  std::vector<std::unique_ptr<Steering>> parts_;
};

}  // namespace musegen::generate
