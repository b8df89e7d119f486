// The network as the generator sees it: rows of recurrent state advanced token by token, with
// the logits of the last step. Implemented by the fast LSTM engine (fast_lstm.h) and by the
// LibTorch module forward (generate/engine_torch.cpp). Torch-free.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace musegen::engine {

class StepEngine {
 public:
  virtual ~StepEngine() = default;
  virtual int vocab_size() const = 0;
  virtual int batch() const = 0;
  // Every row's state back to zeros, for `batch` >= 1 rows.
  virtual void start(int batch) = 0;
  // Advances every row through `time` >= 1 tokens: ids [batch][time], row-major. When
  // `want_logits`, the logits after the last token are then available through logits().
  // Throws ConfigError (key "ids") for an id outside 0 .. vocab_size() - 1 or a wrong size.
  virtual void feed(std::span<const std::int32_t> ids, int time, bool want_logits) = 0;
  // Row `row`'s logits after the last feed with want_logits, [vocab_size()].
  virtual std::span<const float> logits(int row) const = 0;
  // Row r takes the state (and logits) of row source[r], for every r (beam search).
  virtual void reorder(std::span<const int> source) = 0;
  // "fast lstm, avx2, fp32, 2 thread(s)" or "module (lstm), 2 thread(s)".
  virtual std::string description() const = 0;
  // The instruction-set level the arithmetic ran on: a kernel set's level ("avx2",
  // "avx512_bf16", "neon", "reference"), or for LibTorch its BLAS ("openblas cooperlake").
  virtual std::string instruction_set() const = 0;
};

}  // namespace musegen::engine
