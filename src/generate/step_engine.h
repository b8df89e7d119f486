// The network as the generator sees it: rows of recurrent state advanced one token at a time,
// with the logits of the last step. Two engines: "fast" (the LSTM step on repacked weights,
// fused kernels, float32 or bfloat16, see kernels.h) and "module" (the plain LibTorch module
// forward with its state carried, the reference and the path for GRU and RNN cells).
// Torch-free header.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "model/checkpoint.h"

namespace musegen::generate {

struct EngineOptions {
  std::string kind = "auto";       // "auto" (fast for LSTM models, else module), "fast", "module"
  std::string precision = "auto";  // "auto" (bf16 where the CPU has AVX512-BF16), "fp32", "bf16"
  int threads = 0;                 // 0: every core
};

// Throws ConfigError naming "engine", "precision" or "threads" for a value not allowed.
void validate(const EngineOptions& options);

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
  // "fast lstm, bf16, avx512, 2 threads" or "module (lstm), 2 threads".
  virtual std::string description() const = 0;
};

// The engine for a checkpoint's model. `name` labels errors. Throws ConfigError for bad
// options (e.g. "fast" for a GRU model) and ParseError when the weights do not fit the model.
std::unique_ptr<StepEngine> make_engine(const model::Checkpoint& checkpoint,
                                        const std::string& name, const EngineOptions& options);

// A checkpoint holding an untrained network of `preset` (weights from the preset's init and
// `seed`) for `vocabulary_json` (Vocabulary::to_json with the tokenizer config): for tests and
// the generation benchmark. Throws ConfigError for an invalid preset or vocabulary.
model::Checkpoint untrained_checkpoint(model::Preset preset, const nlohmann::json& vocabulary_json,
                                       std::uint64_t seed);

}  // namespace musegen::generate
