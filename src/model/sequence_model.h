// The sequence model: input (embedding, or the tutorial's scalar id / n_tokens) -> recurrent
// stack (LSTM, GRU or RNN with dropout between layers) or Transformer stack (model/
// transformer.h) -> dense head -> logits over the vocabulary. The state can be carried across
// calls: a recurrent network's h and c, so generating costs one step per token, or the tokens a
// Transformer has seen (re-run with each call: the uncached reference of the fast engine).
// Include only where LibTorch is needed.
#pragma once

#include <torch/torch.h>

#include "model/config.h"
#include "model/transformer.h"

namespace musegen::model {

// Recurrent state: h (and c for LSTM), each [num_layers, batch, hidden]. Empty = zeros.
// A Transformer's state is `history`, the ids it has read, int64 [batch, tokens].
struct RecurrentState {
  torch::Tensor h;
  torch::Tensor c;
  torch::Tensor history = {};
  bool defined() const { return h.defined() || history.defined(); }
};

class SequenceModelImpl : public torch::nn::Module {
 public:
  explicit SequenceModelImpl(const ModelConfig& config);

  // ids: int64 [batch, time]. Returns logits [batch, time, vocab] and the state after the
  // last step. `state` may be empty (zeros).
  std::pair<torch::Tensor, RecurrentState> forward(const torch::Tensor& ids,
                                                   const RecurrentState& state = {});
  // Logits of the last time step only, [batch, vocab]: the tutorial's one-target windows
  // (runs the head on the last step alone).
  torch::Tensor forward_last(const torch::Tensor& ids);

  const ModelConfig& config() const { return config_; }
  // LSTM only: the fused implementation (model/fused_lstm.h, default) or LibTorch's
  // torch::nn::LSTM. Same parameters and results (to float rounding); fused trains about 2x
  // faster. For comparisons in tests and benchmarks.
  void set_fused_lstm(bool fused) { fused_lstm_ = fused; }
  bool fused_lstm() const { return fused_lstm_; }
  std::int64_t parameter_count() const;

 private:
  void keras_init();
  void build_head();
  void build_transformer();
  void check_ids(const torch::Tensor& ids) const;  // throws ConfigError ("ids")
  torch::Tensor embed(const torch::Tensor& ids);
  std::pair<torch::Tensor, RecurrentState> recurrent(const torch::Tensor& x,
                                                     const RecurrentState& state);
  // The Transformer's outputs for `ids` after the state's history (re-run from the start).
  std::pair<torch::Tensor, RecurrentState> attend(const torch::Tensor& ids,
                                                  const RecurrentState& state);
  torch::Tensor head(const torch::Tensor& hidden);

  ModelConfig config_;
  bool fused_lstm_ = true;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  TransformerStack transformer_{nullptr};
  torch::nn::ModuleList dense_{nullptr};
  torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(SequenceModel);

}  // namespace musegen::model
