// The polyphonic benchmark's metric: frame-level negative log-likelihood of `frames`-tokenized
// sequences (Boulanger-Lewandowski et al. 2012; ../shared/data/README.md). A frame's loss is
// the sum of its tokens' losses, end-of-frame included; each sequence's first frame is input
// only. Torch-free header.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "tokenize/vocabulary.h"

namespace musegen::model {
class SequenceModelImpl;
}

namespace musegen::train {

// What each id of a `frames` vocabulary means: the end-of-frame id and each id's MIDI pitch.
struct FrameTokens {
  std::int32_t end_of_frame_id = -1;
  std::vector<int> pitch_of_id;  // per id: 0..127 for "p:N", -1 for every other token

  // Throws ConfigError (key "vocabulary") when the vocabulary has no end-of-frame token "|".
  static FrameTokens from_vocabulary(const tokenize::Vocabulary& vocabulary);
};

struct FrameLikelihoodOptions {
  // false: the network's softmax over the whole vocabulary, as trained. true: each step's
  // distribution renormalised over the tokens that can follow in a well-formed frame (a pitch
  // above the frame's last pitch, or end-of-frame), which makes the model a proper
  // distribution over 88-key frames: never a worse score, the same network.
  bool constrained = false;
  int batch_size = 16;  // sequences run through the network together, >= 1
};

struct FrameLikelihood {
  double nll_sum_nats = 0;       // over every predicted frame
  std::int64_t n_frames = 0;     // predicted frames: frames after the first of each sequence
  std::int64_t n_tokens = 0;     // tokens of the predicted frames
  std::int64_t n_sequences = 0;  // sequences evaluated (including one-frame ones)
  double nll_per_frame() const;  // nats per predicted frame; NaN without a predicted frame
  double nll_per_token() const;  // nats per token of the predicted frames; NaN without one
  void add(const FrameLikelihood& other);
  // {"nll_per_frame", "nll_per_token", "nll_sum_nats", "n_frames", "n_tokens",
  //  "n_sequences"}; NaN as null.
  nlohmann::json to_json() const;
};

// The frame losses of one sequence: element t - 1 is -log p(frame t | frames 0..t-1) in nats
// for t = 1 .. n_frames - 1. The model reads <start> then every token of the sequence (frame
// 0's too). `ids`: the sequence's token ids without special tokens, ending with end-of-frame.
// Runs under torch::NoGradGuard in eval mode, restoring the model's mode. Throws ConfigError
// (key "sequence") when a sequence is empty, does not end with end-of-frame, or (constrained)
// holds a token that cannot occur in a frame; ConfigError ("ids") for ids outside the model.
std::vector<double> frame_losses(model::SequenceModelImpl& model,
                                 const std::vector<std::int32_t>& ids, const FrameTokens& tokens,
                                 const FrameLikelihoodOptions& options = {});

// The benchmark score over a set of sequences, evaluated `options.batch_size` at a time
// (sequences padded at their end, which a causal network never reads back). Throws as
// frame_losses does.
FrameLikelihood evaluate_frames(model::SequenceModelImpl& model,
                                const std::vector<std::vector<std::int32_t>>& sequences,
                                const FrameTokens& tokens,
                                const FrameLikelihoodOptions& options = {});

// Both scores of a set of sequences, from one pass of the network per batch (what
// evaluate_frames gives with constrained false and true, for half the work).
struct FrameScores {
  FrameLikelihood whole;        // the softmax over the whole vocabulary, as trained
  FrameLikelihood constrained;  // renormalised over the tokens a frame allows
};
FrameScores evaluate_frames_both(model::SequenceModelImpl& model,
                                 const std::vector<std::vector<std::int32_t>>& sequences,
                                 const FrameTokens& tokens, int batch_size = 16);

}  // namespace musegen::train
