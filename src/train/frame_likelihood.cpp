// Frame-level NLL: sequences batched by length, <start> + tokens through the network once,
// token log-probabilities (optionally restricted to the tokens a frame allows) summed per frame.
#include "train/frame_likelihood.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/errors.h"
#include "model/sequence_model.h"
#include "tokenize/frames_tokenizer.h"

namespace musegen::train {

namespace {

// Rows x padded length of one batch stays under this, bounding the memory of the network's
// activations and logits: 2^14 keeps musegen evaluate near 330 MB on Nottingham (2^17 took
// 1.27 GB) at the same speed.
constexpr std::int64_t kMaxBatchTokens = std::int64_t{1} << 14;

void check_sequence(const std::vector<std::int32_t>& ids, const FrameTokens& tokens) {
  if (ids.empty()) throw ConfigError("sequence", "a sequence holds no frame", "at least 1 frame");
  if (ids.back() != tokens.end_of_frame_id)
    throw ConfigError("sequence", "a sequence does not end with the end-of-frame token",
                      "frames tokenizer output: pitches then \"|\" for every frame");
  for (std::int32_t id : ids)
    if (id < 0 || static_cast<std::size_t>(id) >= tokens.pitch_of_id.size())
      throw ConfigError("ids", "token id " + std::to_string(id) + " is outside the vocabulary",
                        "0.." + std::to_string(tokens.pitch_of_id.size() - 1));
}

// Which scores a pass computes from its one forward: [0] over the whole vocabulary, [1]
// restricted to the tokens a frame allows.
using Modes = std::array<bool, 2>;
// Per mode asked, per batch row: log p of every token of the sequence, in order (double).
using RowLogProbs = std::array<std::vector<std::vector<double>>, 2>;

// Per batch row, log p of every token: the target's logit less the log-sum-exp of its row.
std::vector<std::vector<double>> gathered_log_probs(
    const torch::Tensor& logits, const torch::Tensor& targets,
    const std::vector<const std::vector<std::int32_t>*>& rows) {
  const std::int64_t time = logits.size(1);
  const torch::Tensor log_probs =
      (logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - torch::logsumexp(logits, -1))
          .contiguous();
  const double* lp = log_probs.data_ptr<double>();
  std::vector<std::vector<double>> out(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double* row = lp + static_cast<std::int64_t>(r) * time;
    out[r].assign(row, row + static_cast<std::int64_t>(rows[r]->size()));
    for (double v : out[r])
      if (!std::isfinite(v))
        throw ConfigError("sequence",
                          "a token that cannot occur at its place in a frame (pitches must "
                          "ascend within a frame, and only pitches and \"|\" occur)",
                          "frames tokenizer output");
  }
  return out;
}

RowLogProbs token_log_probs(model::SequenceModelImpl& model,
                            const std::vector<const std::vector<std::int32_t>*>& rows,
                            const FrameTokens& tokens, Modes modes) {
  std::int64_t time = 0;
  for (const auto* ids : rows) time = std::max<std::int64_t>(time, ids->size());
  const auto n_rows = static_cast<std::int64_t>(rows.size());
  std::vector<std::int64_t> inputs(n_rows * time, tokenize::kPadId);
  std::vector<std::int64_t> targets(n_rows * time, 0);
  std::vector<std::int64_t> last_pitch(n_rows * time, -1);  // -1: at a frame's start
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const auto& ids = *rows[r];
    std::int64_t previous = -1;
    for (std::size_t j = 0; j < ids.size(); ++j) {
      const std::int64_t at = r * time + static_cast<std::int64_t>(j);
      inputs[at] = j == 0 ? tokenize::kStartId : ids[j - 1];
      targets[at] = ids[j];
      last_pitch[at] = previous;
      const auto id = static_cast<std::size_t>(ids[j]);
      previous = ids[j] == tokens.end_of_frame_id ? -1
                 : id < tokens.pitch_of_id.size() ? tokens.pitch_of_id[id]
                                                  : -1;
    }
  }
  auto as_tensor = [&](std::vector<std::int64_t>& v) {
    return torch::from_blob(v.data(), {n_rows, time}, torch::kInt64);
  };
  torch::Tensor logits = model.forward(as_tensor(inputs)).first.to(torch::kFloat64);
  const torch::Tensor targets_t = as_tensor(targets);
  RowLogProbs out;
  if (modes[0]) out[0] = gathered_log_probs(logits, targets_t, rows);
  if (modes[1]) {
    // Legal: end-of-frame, or a pitch above the frame's last one. Other ids get pitch -2.
    std::vector<std::int64_t> pitch(tokens.pitch_of_id.begin(), tokens.pitch_of_id.end());
    for (auto& p : pitch) p = p < 0 ? -2 : p;
    torch::Tensor pitch_t = torch::tensor(pitch, torch::kInt64);
    torch::Tensor is_end = torch::zeros({logits.size(-1)}, torch::kBool);
    is_end[tokens.end_of_frame_id] = true;
    torch::Tensor legal = pitch_t.gt(as_tensor(last_pitch).unsqueeze(-1)).logical_or(is_end);
    logits.masked_fill_(legal.logical_not(), -std::numeric_limits<double>::infinity());
    out[1] = gathered_log_probs(logits, targets_t, rows);
  }
  return out;
}

// Sums token log-probabilities into frame losses, skipping frame 0.
std::vector<double> sum_frames(const std::vector<std::int32_t>& ids,
                               const std::vector<double>& log_probs, const FrameTokens& tokens) {
  std::vector<double> losses;
  std::size_t frame = 0;
  double current = 0;
  for (std::size_t j = 0; j < ids.size(); ++j) {
    if (frame > 0) current -= log_probs[j];
    if (ids[j] == tokens.end_of_frame_id) {
      if (frame > 0) losses.push_back(current);
      current = 0;
      ++frame;
    }
  }
  return losses;
}

// Runs `rows` as one batch with the model in eval mode and no gradients: per mode asked, per
// row, the frame losses.
using RowFrameLosses = std::array<std::vector<std::vector<double>>, 2>;
RowFrameLosses batch_frame_losses(model::SequenceModelImpl& model,
                                  const std::vector<const std::vector<std::int32_t>*>& rows,
                                  const FrameTokens& tokens, Modes modes) {
  if (static_cast<std::size_t>(model.config().vocab_size) != tokens.pitch_of_id.size())
    throw ConfigError("vocabulary",
                      "the model's vocabulary (" + std::to_string(model.config().vocab_size) +
                          " ids) is not the frames vocabulary given (" +
                          std::to_string(tokens.pitch_of_id.size()) + " ids)",
                      "the model's own vocabulary");
  for (const auto* ids : rows) check_sequence(*ids, tokens);
  const bool was_training = model.is_training();
  model.eval();
  RowLogProbs log_probs;
  try {
    torch::NoGradGuard no_grad;
    log_probs = token_log_probs(model, rows, tokens, modes);
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  RowFrameLosses out;
  for (int m = 0; m < 2; ++m)
    for (std::size_t r = 0; r < log_probs[m].size(); ++r)
      out[m].push_back(sum_frames(*rows[r], log_probs[m][r], tokens));
  return out;
}

// The frames, tokens and loss of a batch's rows added to `total`.
void add_rows(FrameLikelihood& total, const std::vector<const std::vector<std::int32_t>*>& rows,
              const std::vector<std::vector<double>>& losses, const FrameTokens& tokens) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    total.n_sequences += 1;
    total.n_frames += static_cast<std::int64_t>(losses[r].size());
    for (double loss : losses[r]) total.nll_sum_nats += loss;
    const auto& ids = *rows[r];
    const auto first_end = std::find(ids.begin(), ids.end(), tokens.end_of_frame_id) - ids.begin();
    total.n_tokens += static_cast<std::int64_t>(ids.size()) - (first_end + 1);
  }
}

// Both scores (per `modes`) over a set of sequences, batched by length.
FrameScores evaluate_modes(model::SequenceModelImpl& model,
                           const std::vector<std::vector<std::int32_t>>& sequences,
                           const FrameTokens& tokens, int batch_size, Modes modes) {
  if (batch_size < 1)
    throw ConfigError("batch_size", std::to_string(batch_size) + " is out of range", "1 or more");
  // Longest first, so each batch pads its rows to similar lengths.
  std::vector<std::size_t> order(sequences.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sequences[a].size() > sequences[b].size();
  });
  FrameScores scores;
  for (std::size_t first = 0; first < order.size();) {
    const auto time =
        static_cast<std::int64_t>(std::max<std::size_t>(sequences[order[first]].size(), 1));
    const auto fit = static_cast<std::size_t>(std::max<std::int64_t>(1, kMaxBatchTokens / time));
    const std::size_t n =
        std::min({order.size() - first, fit, static_cast<std::size_t>(batch_size)});
    std::vector<const std::vector<std::int32_t>*> rows;
    for (std::size_t i = first; i < first + n; ++i) rows.push_back(&sequences[order[i]]);
    const RowFrameLosses losses = batch_frame_losses(model, rows, tokens, modes);
    if (modes[0]) add_rows(scores.whole, rows, losses[0], tokens);
    if (modes[1]) add_rows(scores.constrained, rows, losses[1], tokens);
    first += n;
  }
  return scores;
}

nlohmann::json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace

FrameTokens FrameTokens::from_vocabulary(const tokenize::Vocabulary& vocabulary) {
  FrameTokens t;
  if (!vocabulary.contains(tokenize::kEndOfFrame))
    throw ConfigError("vocabulary", "no end-of-frame token \"|\": not a frames vocabulary",
                      "a model trained with the frames tokenizer");
  t.end_of_frame_id = vocabulary.id(tokenize::kEndOfFrame);
  t.pitch_of_id.assign(vocabulary.size(), -1);
  for (std::size_t id = 0; id < vocabulary.size(); ++id) {
    const std::string& text = vocabulary.token(static_cast<std::int32_t>(id));
    if (text.size() < 3 || text.size() > 5 || text.compare(0, 2, "p:") != 0) continue;
    if (!std::all_of(text.begin() + 2, text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const int pitch = std::stoi(text.substr(2));
    if (pitch <= 127) t.pitch_of_id[id] = pitch;
  }
  return t;
}

double FrameLikelihood::nll_per_frame() const {
  return n_frames > 0 ? nll_sum_nats / static_cast<double>(n_frames)
                      : std::numeric_limits<double>::quiet_NaN();
}

double FrameLikelihood::nll_per_token() const {
  return n_tokens > 0 ? nll_sum_nats / static_cast<double>(n_tokens)
                      : std::numeric_limits<double>::quiet_NaN();
}

void FrameLikelihood::add(const FrameLikelihood& other) {
  nll_sum_nats += other.nll_sum_nats;
  n_frames += other.n_frames;
  n_tokens += other.n_tokens;
  n_sequences += other.n_sequences;
}

nlohmann::json FrameLikelihood::to_json() const {
  return {{"nll_per_frame", finite_or_null(nll_per_frame())},
          {"nll_per_token", finite_or_null(nll_per_token())},
          {"nll_sum_nats", nll_sum_nats},
          {"n_frames", n_frames},
          {"n_tokens", n_tokens},
          {"n_sequences", n_sequences}};
}

std::vector<double> frame_losses(model::SequenceModelImpl& model,
                                 const std::vector<std::int32_t>& ids, const FrameTokens& tokens,
                                 const FrameLikelihoodOptions& options) {
  const int m = options.constrained ? 1 : 0;
  Modes modes{};
  modes[m] = true;
  return batch_frame_losses(model, {&ids}, tokens, modes)[m].front();
}

FrameLikelihood evaluate_frames(model::SequenceModelImpl& model,
                                const std::vector<std::vector<std::int32_t>>& sequences,
                                const FrameTokens& tokens, const FrameLikelihoodOptions& options) {
  const FrameScores scores = evaluate_modes(model, sequences, tokens, options.batch_size,
                                            {!options.constrained, options.constrained});
  return options.constrained ? scores.constrained : scores.whole;
}

FrameScores evaluate_frames_both(model::SequenceModelImpl& model,
                                 const std::vector<std::vector<std::int32_t>>& sequences,
                                 const FrameTokens& tokens, int batch_size) {
  return evaluate_modes(model, sequences, tokens, batch_size, {true, true});
}

}  // namespace musegen::train
