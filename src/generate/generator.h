// The stateful generator: a model file's network, tokenizer and vocabulary; the primer fed
// once, then one network step per new token for a batch of candidates generated together
// (each with its own random stream), by sampling (greedy, temperature, top-k, top-p) or by
// beam search; stopping at a number of tokens, at a duration of music, or at <end>.
// Torch-free header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "generate/decode.h"
#include "generate/sampling.h"
#include "generate/steering.h"
#include "generate/step_engine.h"
#include "model/checkpoint.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate {

struct GenerateOptions {
  SamplingOptions sampling;
  // >= 1: beam search with this many beams (sampling options unused); 0: sample.
  int beam_width = 0;
  // Beams ranked by mean log-probability per generated token (true) or by its sum (false).
  bool beam_length_normalized = true;
  // false: <end> is never drawn either, so every candidate runs to its length or duration.
  bool allow_end = true;
  int n_candidates = 1;     // 1..1024; at most beam_width with beam search
  std::uint64_t seed = 1;   // row k samples from a stream derived from (seed, k) alone
  int length_tokens = 500;  // new tokens per candidate, when seconds is 0
  double seconds = 0;       // > 0: stop a candidate when its new music lasts this long
  int max_tokens = 20000;   // with seconds: new tokens at most
  // 0: carry the recurrent state (one step per token). N > 0: re-run the last N tokens from a
  // zero state for every new token (the tutorial's sliding window).
  int window_tokens = 0;
  MusicOptions music;  // the tempo that `seconds` is measured at
  // Shapes every row's sampling (masks, forced tokens, stopping); not owned; null: none. The
  // same steering object serves one generate() call at a time.
  Steering* steering = nullptr;
};

// Throws ConfigError naming the option ("count", "length", "seconds", "max-length", "window",
// "beam", or a sampling key) for a value out of range.
void validate(const GenerateOptions& options);

enum class StopReason { length, end_token, seconds, max_tokens, steering };
std::string to_string(StopReason reason);

struct Candidate {
  std::vector<std::int32_t> ids;  // the primer, then the generated ids (<end> not included)
  std::size_t n_primer = 0;
  StopReason stop = StopReason::length;
  double log_prob = 0;  // sum over generated ids of log p(id) under the model (temperature 1)
  // The running sum of log_prob after 0, 1, 2 ... scored tokens (the generated ids, then <end>
  // when the candidate stopped at it): how sure the model was at every position. Sampling
  // fills it; empty for beam search.
  std::vector<double> cumulative_log_prob;
  std::span<const std::int32_t> generated() const {
    return std::span<const std::int32_t>(ids).subspan(n_primer);
  }
};

struct GenerateResult {
  std::vector<Candidate> candidates;
  std::int64_t network_steps = 0;  // time steps run, each over the whole batch
  std::int64_t tokens = 0;         // generated ids over all candidates
  double elapsed_sec = 0;          // wall time from the first primer step to the last token
  double tokens_per_sec = 0;       // tokens / elapsed_sec
  std::string engine;              // StepEngine::description()
  std::string isa;                 // StepEngine::instruction_set(): what the arithmetic ran on
};

// Called now and then with the tokens generated so far and the expected total (0 if unknown).
using GenerateProgress = std::function<void(std::int64_t done, std::int64_t total)>;

class Generator {
 public:
  // `name` labels errors. Throws ConfigError / ParseError when the checkpoint's tokenizer,
  // vocabulary or weights do not fit together.
  Generator(model::Checkpoint checkpoint, const std::string& name, const EngineOptions& engine);
  ~Generator();

  const model::Checkpoint& checkpoint() const { return checkpoint_; }
  const tokenize::Tokenizer& tokenizer() const { return *tokenizer_; }
  const tokenize::Vocabulary& vocabulary() const { return vocabulary_; }
  // Models trained on chunks of whole pieces saw <start> before each piece; models trained on
  // the tutorial's windows never did.
  bool uses_start_token() const;
  // The window of --window's default: sequence_length for a "windows" model, 0 otherwise.
  int default_window() const;
  StepEngine& engine() { return *engine_; }

  // Throws ConfigError "primer" for a primer generate() would refuse: empty for a model without
  // a start token, or an id outside the vocabulary (for checks before any work).
  void check_primer(std::span<const std::int32_t> primer) const;

  // Generates options.n_candidates continuations of `primer` (empty: <start> for models that
  // use it; ConfigError "primer" otherwise). Sampling never draws <pad>, <start> or <unk>; a
  // drawn <end> stops that candidate. Throws ConfigError for bad options or primer ids.
  GenerateResult generate(std::span<const std::int32_t> primer, const GenerateOptions& options,
                          const GenerateProgress& progress = {});

 private:
  model::Checkpoint checkpoint_;
  std::unique_ptr<tokenize::Tokenizer> tokenizer_;
  tokenize::Vocabulary vocabulary_;
  std::unique_ptr<StepEngine> engine_;
};

}  // namespace musegen::generate
