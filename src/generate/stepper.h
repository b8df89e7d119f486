// Internal to the generator: feeding the rows' newest tokens to an engine, with the state
// carried (one step per token) or through the tutorial's sliding window (the last N tokens
// re-run from a zero state), and the pieces the sampling loop and beam search share.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "generate/generator.h"
#include "generate/step_engine.h"

namespace musegen::generate::detail {

class Stepper {
 public:
  Stepper(StepEngine& engine, int window_tokens) : engine_(engine), window_(window_tokens) {}
  // Every one of `batch` rows starts from `primer` (>= 1 id); the logits are then ready.
  void start(int batch, std::span<const std::int32_t> primer);
  // Row r's next token is tokens[r]; the logits are then ready.
  void advance(std::span<const std::int32_t> tokens);
  // Row r continues row source[r] (beam search).
  void reorder(std::span<const int> source);
  std::int64_t steps() const { return steps_; }

 private:
  void feed_windows();

  StepEngine& engine_;
  int window_;
  std::vector<std::vector<std::int32_t>> streams_;  // window mode: what each row has seen
  std::vector<std::int32_t> buffer_;
  std::int64_t steps_ = 0;
};

// What sampling and beam search share.
struct Context {
  StepEngine& engine;
  const tokenize::Tokenizer& tokenizer;
  const tokenize::Vocabulary& vocabulary;
  const GenerateOptions& options;
  std::span<const std::int32_t> primer;
  const GenerateProgress& progress;
};

// Never drawn: <pad>, <start>, <unk> (set to -infinity).
void mask_specials(std::span<float> logits);
// A random stream of its own for row `row`: the same for a row whatever the batch size.
std::uint64_t row_seed(std::uint64_t seed, int row);

std::vector<Candidate> sample_rows(const Context& context, Stepper& stepper);
std::vector<Candidate> beam_search(const Context& context, Stepper& stepper);

}  // namespace musegen::generate::detail
