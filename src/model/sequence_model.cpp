// The sequence model: embedding or scalar input, a recurrent stack with dropout between layers
// (or the Transformer stack), and a dense head ending in logits; the tutorial's Keras network
// when configured as `tutorial`.
#include "model/sequence_model.h"

#include <cmath>

#include "core/errors.h"
#include "model/fused_lstm.h"

namespace musegen::model {

namespace {

void check_config(const ModelConfig& c) {
  if (c.vocab_size < 1)
    throw ConfigError("vocab_size", "must be set from the vocabulary before building a model",
                      "1..10000000");
  if (c.input != "embedding" && c.input != "scalar")
    throw ConfigError("input", "'" + c.input + "' is not a choice", "embedding, scalar");
  if (c.input == "scalar" && (c.scalar_first_id < 0 || c.scalar_first_id >= c.vocab_size))
    throw ConfigError("scalar_first_id", "must be below vocab_size",
                      "0.." + std::to_string(c.vocab_size - 1));
  if (c.input == "embedding" && c.embedding_dim < 1)
    throw ConfigError("embedding_dim", "must be positive", "1..16384");
  if (c.arch != "rnn" && c.arch != "transformer")
    throw ConfigError("arch", "'" + c.arch + "' is not a sequence model", "rnn, transformer");
  if (c.transformer() && (c.num_heads < 1 || c.hidden_size % c.num_heads != 0 ||
                          (c.hidden_size / c.num_heads) % 2 != 0 || c.input != "embedding"))
    throw ConfigError("num_heads", "must split hidden_size into even head widths",
                      "a divisor of hidden_size leaving an even width; input=embedding");
  if (c.transformer() && (c.ff_size < 1 || c.attention_window < 0))
    throw ConfigError("ff_size", "ff_size must be positive and attention_window not negative");
  if (c.cell != "lstm" && c.cell != "gru" && c.cell != "rnn")
    throw ConfigError("cell", "'" + c.cell + "' is not a choice", "lstm, gru, rnn");
  if (c.hidden_size < 1) throw ConfigError("hidden_size", "must be positive", "1..16384");
  if (c.num_layers < 1) throw ConfigError("num_layers", "must be positive", "1..16");
  if (!(c.dropout >= 0 && c.dropout < 1)) throw ConfigError("dropout", "out of range", "[0, 1)");
  if (!(c.dense_dropout >= 0 && c.dense_dropout < 1))
    throw ConfigError("dense_dropout", "out of range", "[0, 1)");
  for (int s : c.dense_sizes)
    if (s < 1) throw ConfigError("dense_sizes", "sizes must be positive", "1..16384");
  if (c.dense_activation != "linear" && c.dense_activation != "relu" &&
      c.dense_activation != "tanh")
    throw ConfigError("dense_activation", "'" + c.dense_activation + "' is not a choice",
                      "linear, relu, tanh");
  if (c.init != "torch" && c.init != "keras")
    throw ConfigError("init", "'" + c.init + "' is not a choice", "torch, keras");
}

// Keras's glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
void glorot_uniform(torch::Tensor& w) {
  double limit = std::sqrt(6.0 / static_cast<double>(w.size(0) + w.size(1)));
  w.uniform_(-limit, limit);
}

}  // namespace

SequenceModelImpl::SequenceModelImpl(const ModelConfig& config) : config_(config) {
  check_config(config_);
  const int64_t input_size = config_.input == "embedding" ? config_.embedding_dim : 1;
  const double dropout = config_.num_layers > 1 ? config_.dropout : 0.0;
  if (config_.transformer()) {
    build_transformer();
    return;
  }
  if (config_.input == "embedding")
    embedding_ = register_module("embedding",
                                 torch::nn::Embedding(config_.vocab_size, config_.embedding_dim));
  if (config_.cell == "lstm") {
    lstm_ = register_module("lstm",
                            torch::nn::LSTM(torch::nn::LSTMOptions(input_size, config_.hidden_size)
                                                .num_layers(config_.num_layers)
                                                .dropout(dropout)
                                                .batch_first(true)));
  } else if (config_.cell == "gru") {
    gru_ =
        register_module("gru", torch::nn::GRU(torch::nn::GRUOptions(input_size, config_.hidden_size)
                                                  .num_layers(config_.num_layers)
                                                  .dropout(dropout)
                                                  .batch_first(true)));
  } else {
    rnn_ =
        register_module("rnn", torch::nn::RNN(torch::nn::RNNOptions(input_size, config_.hidden_size)
                                                  .num_layers(config_.num_layers)
                                                  .dropout(dropout)
                                                  .batch_first(true)));
  }
  build_head();
  if (config_.init == "keras") keras_init();
}

void SequenceModelImpl::build_head() {
  dense_ = register_module("dense", torch::nn::ModuleList());
  int64_t width = config_.hidden_size;
  for (int size : config_.dense_sizes) {
    dense_->push_back(torch::nn::Linear(width, size));
    width = size;
  }
  output_ = register_module("output", torch::nn::Linear(width, config_.vocab_size));
}

// Embedding (hidden_size wide), the stack, the head; GPT-2's initial weights throughout.
void SequenceModelImpl::build_transformer() {
  embedding_ =
      register_module("embedding", torch::nn::Embedding(config_.vocab_size, config_.hidden_size));
  transformer_ = register_module("transformer", TransformerStack(config_));
  build_head();
  torch::NoGradGuard no_grad;
  embedding_->weight.normal_(0.0, 0.02);
  transformer_->gpt2_init();
  for (const auto& module : *dense_) {
    module->as<torch::nn::Linear>()->weight.normal_(0.0, 0.02);
    module->as<torch::nn::Linear>()->bias.zero_();
  }
  output_->weight.normal_(0.0, 0.02);
  output_->bias.zero_();
}

// The tutorial's Keras initial weights (Glorot-uniform kernels, orthogonal recurrent kernels,
// zero biases, LSTM forget-gate bias 1, Embedding U(-0.05, 0.05)). LibTorch splits the bias
// into b_ih and b_hh: the Keras bias goes to b_ih, b_hh stays zero.
void SequenceModelImpl::keras_init() {
  torch::NoGradGuard no_grad;
  if (embedding_) embedding_->weight.uniform_(-0.05, 0.05);
  const int64_t hidden = config_.hidden_size;
  for (auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    torch::Tensor p = item.value();
    if (name.rfind("embedding.", 0) == 0) continue;
    if (name.find("weight_hh") != std::string::npos) {
      // Ours is [gates*hidden, hidden] with orthonormal columns: the transpose of Keras's
      // orthogonal [hidden, gates*hidden] recurrent kernel (gate order i, f, g, o in both).
      torch::nn::init::orthogonal_(p);
    } else if (name.find("weight") != std::string::npos) {
      glorot_uniform(p);
    } else {
      p.zero_();
      if (lstm_ && name.find("bias_ih") != std::string::npos)
        p.narrow(0, hidden, hidden).fill_(1.0);
    }
  }
}

torch::Tensor SequenceModelImpl::embed(const torch::Tensor& ids) {
  if (embedding_) return embedding_->forward(ids);
  const double first = config_.scalar_first_id;
  const double n = config_.vocab_size - config_.scalar_first_id;
  return ((ids.to(torch::kFloat32) - first) / n).unsqueeze(-1);
}

torch::Tensor SequenceModelImpl::head(const torch::Tensor& hidden) {
  torch::Tensor x = hidden;
  for (const auto& module : *dense_) {
    x = module->as<torch::nn::Linear>()->forward(x);
    if (config_.dense_activation == "relu") x = torch::relu(x);
    if (config_.dense_activation == "tanh") x = torch::tanh(x);
    if (config_.dense_dropout > 0) x = torch::dropout(x, config_.dense_dropout, is_training());
  }
  return output_->forward(x);
}

void SequenceModelImpl::check_ids(const torch::Tensor& ids) const {
  if (!ids.defined() || ids.dim() != 2 || ids.scalar_type() != torch::kInt64)
    throw ConfigError("ids", "expected an int64 tensor [batch, time]", "int64 [batch, time]");
  if (ids.numel() == 0) throw ConfigError("ids", "empty input", "at least one token");
  auto [lo, hi] = torch::aminmax(ids);
  if (lo.item<int64_t>() < 0 || hi.item<int64_t>() >= config_.vocab_size)
    throw ConfigError("ids", "token id out of range",
                      "0.." + std::to_string(config_.vocab_size - 1));
}

std::pair<torch::Tensor, RecurrentState> SequenceModelImpl::recurrent(const torch::Tensor& x,
                                                                      const RecurrentState& state) {
  if (state.defined()) {
    const auto expected = std::vector<int64_t>{config_.num_layers, x.size(0), config_.hidden_size};
    if (state.h.sizes() != expected ||
        (lstm_ && (!state.c.defined() || state.c.sizes() != expected)))
      throw ConfigError("state", "does not match the model and batch",
                        "[num_layers, batch, hidden_size]");
  }
  if (lstm_ && fused_lstm_) {
    const double dropout = config_.num_layers > 1 ? config_.dropout : 0.0;
    return fused_lstm_forward(*lstm_, x, state, dropout, is_training());
  }
  if (lstm_) {
    c10::optional<std::tuple<torch::Tensor, torch::Tensor>> hc;
    if (state.defined()) hc = std::make_tuple(state.h, state.c);
    auto [y, out] = lstm_->forward(x, hc);
    return {y, RecurrentState{std::get<0>(out), std::get<1>(out)}};
  }
  auto [y, h] = gru_ ? gru_->forward(x, state.h) : rnn_->forward(x, state.h);
  return {y, RecurrentState{h, {}}};
}

std::pair<torch::Tensor, RecurrentState> SequenceModelImpl::attend(const torch::Tensor& ids,
                                                                   const RecurrentState& state) {
  if (state.defined() && (!state.history.defined() || state.history.dim() != 2 ||
                          state.history.size(0) != ids.size(0)))
    throw ConfigError("state", "a transformer's state is the ids it has read",
                      "int64 [batch, tokens]");
  RecurrentState out;
  out.history = state.defined() ? torch::cat({state.history, ids}, 1) : ids;
  const std::int64_t n_new = ids.size(1);
  torch::Tensor x = embedding_->forward(out.history);
  if (config_.dropout > 0) x = torch::dropout(x, config_.dropout, is_training());
  torch::Tensor y = transformer_->forward(x);
  return {y.narrow(1, y.size(1) - n_new, n_new), out};
}

std::pair<torch::Tensor, RecurrentState> SequenceModelImpl::forward(const torch::Tensor& ids,
                                                                    const RecurrentState& state) {
  check_ids(ids);
  auto [y, out] = transformer_ ? attend(ids, state) : recurrent(embed(ids), state);
  return {head(y), out};
}

torch::Tensor SequenceModelImpl::forward_last(const torch::Tensor& ids) {
  check_ids(ids);
  auto [y, out] = transformer_ ? attend(ids, {}) : recurrent(embed(ids), RecurrentState{});
  return head(y.select(1, y.size(1) - 1));
}

std::int64_t SequenceModelImpl::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace musegen::model
