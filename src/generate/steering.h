// Steering: a hook that shapes every row's sampling token by token (masks on the logits, tokens
// forced into the stream, stopping), so that requests such as "these instruments" or "16 bars"
// are kept by construction rather than hoped for. Torch-free.
#pragma once

#include <cstdint>
#include <span>

namespace musegen::generate {

class Steering {
 public:
  virtual ~Steering() = default;
  // Every one of `rows` rows starts from `primer` (which the steering reads as if taken).
  virtual void start(int rows, std::span<const std::int32_t> primer) = 0;
  // Before row `row` draws: may set logits to -infinity (never drawn) or add biases. Returns a
  // token id to take without drawing, or -1 to draw from the adjusted logits. At least one
  // token must stay drawable when -1 is returned.
  virtual int steer(int row, std::span<float> logits) = 0;
  // Row `row` took `token` (drawn or forced).
  virtual void took(int row, std::int32_t token) = 0;
  // True when row `row` is complete (e.g. its requested bars are written).
  virtual bool done(int row) const = 0;
  // Beam search: row r now continues row source[r].
  virtual void reorder(std::span<const int> source) = 0;
};

}  // namespace musegen::generate
