// The fast LSTM engine: packing the network once for its kernel set, then per step one kernel
// phase per layer (panels shared by the thread team) and, when logits are wanted, the head.
#include "engine/fast_lstm.h"

#include <algorithm>
#include <cstring>

#include "core/errors.h"
#include "engine/engine_shared.h"

namespace musegen::engine {

using kernels::kColumnBlock;

namespace {

// Packed LSTM row r: panel r / panel_rows holds `units` units with gates i, f, g, o side by side.
std::vector<int> lstm_row_map(int hidden, int hidden_padded, int panel_rows) {
  const int units = panel_rows / 4;
  std::vector<int> map(4 * static_cast<std::size_t>(hidden_padded));
  for (int r = 0; r < 4 * hidden_padded; ++r) {
    const int q = r % panel_rows, gate = q / units;
    const int unit = r / panel_rows * units + q % units;
    map[r] = unit < hidden ? gate * hidden + unit : -1;
  }
  return map;
}

void check_size(const std::vector<float>& v, std::size_t expected, const std::string& what) {
  if (v.size() != expected)
    throw ConfigError("weights", what + " has " + std::to_string(v.size()) + " values, expected " +
                                     std::to_string(expected));
}

}  // namespace

FastLstmEngine::FastLstmEngine(const LstmNetwork& net, const kernels::KernelSet& kernels,
                               int threads)
    : kernels_(kernels), vocab_(net.vocab_size), activation_(net.activation), team_(threads) {
  if (net.hidden < 1 || net.layers.empty() || vocab_ < 1)
    throw ConfigError("weights", "an LSTM needs a hidden size, layers and a vocabulary");
  hidden_padded_ = round_up(net.hidden, kColumnBlock);
  pack_layers(net);
  pack_head(net);
  start(1);
}

FastLstmEngine::~FastLstmEngine() = default;

void FastLstmEngine::pack_layers(const LstmNetwork& net) {
  const int h = net.hidden;
  const auto rows = lstm_row_map(h, hidden_padded_, kernels_.panel_rows);
  const std::size_t gates = 4 * static_cast<std::size_t>(h);
  check_size(net.input_table, static_cast<std::size_t>(vocab_) * gates, "input table");
  table_.resize(static_cast<std::size_t>(vocab_) * rows.size());
  for (int v = 0; v < vocab_; ++v)
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (rows[r] >= 0) table_[v * rows.size() + r] = net.input_table[v * gates + rows[r]];
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    const auto& src = net.layers[l];
    auto layer = std::make_unique<Layer>();
    check_size(src.w_hh, gates * h, "w_hh");
    if (l == 0) {
      layer->w =
          kernels::pack_matrix(src.w_hh.data(), 4 * h, h, rows, identity_map(h, hidden_padded_),
                               kernels_.precision, kernels_.panel_rows);
    } else {
      check_size(src.w_ih, gates * h, "w_ih");
      check_size(src.bias, gates, "bias");
      std::vector<float> joined(gates * 2 * h);  // [4h][input | hidden]
      for (std::size_t r = 0; r < gates; ++r) {
        std::copy_n(src.w_ih.begin() + r * h, h, joined.begin() + r * 2 * h);
        std::copy_n(src.w_hh.begin() + r * h, h, joined.begin() + r * 2 * h + h);
      }
      auto cols = identity_map(h, hidden_padded_);
      auto own = identity_map(h, hidden_padded_, h);
      cols.insert(cols.end(), own.begin(), own.end());
      layer->w = kernels::pack_matrix(joined.data(), 4 * h, 2 * h, rows, cols, kernels_.precision,
                                      kernels_.panel_rows);
      layer->in_cols = hidden_padded_;
      layer->bias.resize(rows.size());
      for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r] >= 0) layer->bias[r] = src.bias[rows[r]];
    }
    layers_.push_back(std::move(layer));
  }
}

void FastLstmEngine::pack_head(const LstmNetwork& net) {
  std::vector<const DenseWeights*> head;
  for (const auto& d : net.dense) head.push_back(&d);
  head.push_back(&net.output);
  if (net.output.out != vocab_) throw ConfigError("weights", "the output layer is not vocab-sized");
  int in_width = net.hidden, in_padded = hidden_padded_;
  for (const DenseWeights* d : head) {
    if (d->in != in_width) throw ConfigError("weights", "dense layer sizes do not chain");
    check_size(d->weight, static_cast<std::size_t>(d->in) * d->out, "dense weight");
    check_size(d->bias, d->out, "dense bias");
    const int out_padded = round_up(d->out, std::max(kernels_.panel_rows, kColumnBlock));
    head_.push_back(kernels::pack_matrix(
        d->weight.data(), d->out, d->in, identity_map(d->out, out_padded),
        identity_map(d->in, in_padded), kernels_.precision, kernels_.panel_rows));
    kernels::AlignedArray<float> bias(out_padded);
    std::copy(d->bias.begin(), d->bias.end(), bias.data());
    head_bias_.push_back(std::move(bias));
    in_width = d->out;
    in_padded = out_padded;
  }
  logits_ld_ = in_padded;
}

std::size_t FastLstmEngine::activation_bytes() const {
  return kernels_.bf16_activations ? 2 : 4;
}

void FastLstmEngine::start(int batch) {
  if (batch < 1) throw ConfigError("batch", "must be at least 1", "1..");
  const std::size_t es = activation_bytes();
  const std::size_t b = static_cast<std::size_t>(batch);
  for (auto& layer : layers_) {
    for (auto& x : layer->x) x.resize(b * layer->w.cols * es);
    layer->c.resize(b * hidden_padded_);
  }
  head_inputs_.resize(head_.size());
  for (std::size_t j = 0; j < head_.size(); ++j) head_inputs_[j].resize(b * head_[j].cols * es);
  logits_.resize(b * logits_ld_);
  row_bias_.assign(b, table_.data());
  if (batch != batch_) sequence_steps_ = 0;  // sequence buffers are sized on first use
  if (batch >= kernels::kWidenedFromRows) {  // bf16 weights: float32 too, for many rows
    for (auto& layer : layers_) kernels::add_widened_copy(layer->w);
    for (auto& w : head_) kernels::add_widened_copy(w);
  }
  batch_ = batch;
  parity_ = 0;
}

kernels::Output FastLstmEngine::activation_output(void* data, int ld, int col) const {
  return kernels::Output{data, ld, col, kernels_.bf16_activations};
}

void FastLstmEngine::run_lstm(const kernels::LstmArgs& args) {
  run_panels(team_, args, kernels_.lstm);
}

void FastLstmEngine::run_dense(const kernels::DenseArgs& args) {
  run_panels(team_, args, kernels_.dense);
}

void FastLstmEngine::step(bool want_logits) {
  const int s = parity_;
  const int n_layers = static_cast<int>(layers_.size());
  for (int l = 0; l < n_layers; ++l) {
    Layer& layer = *layers_[l];
    kernels::LstmArgs a;
    a.w = &layer.w;
    a.bias = l == 0 ? nullptr : layer.bias.data();
    a.row_bias = l == 0 ? row_bias_.data() : nullptr;
    a.x = layer.x[s].data();
    a.ldx = layer.w.cols;
    a.x_bf16 = kernels_.bf16_activations;
    a.c = layer.c.data();
    a.ldc = hidden_padded_;
    a.batch = batch_;
    a.out[a.n_out++] = activation_output(layer.x[1 - s].data(), layer.w.cols, layer.in_cols);
    if (l + 1 < n_layers)
      a.out[a.n_out++] = activation_output(layers_[l + 1]->x[s].data(), layers_[l + 1]->w.cols, 0);
    else if (want_logits)
      a.out[a.n_out++] = activation_output(head_inputs_[0].data(), head_[0].cols, 0);
    run_lstm(a);
  }
  parity_ = 1 - s;
  if (want_logits) run_head();
}

void FastLstmEngine::run_head() {
  for (std::size_t j = 0; j < head_.size(); ++j) {
    const bool last = j + 1 == head_.size();
    kernels::DenseArgs d;
    d.w = &head_[j];
    d.bias = head_bias_[j].data();
    d.x = head_inputs_[j].data();
    d.ldx = head_[j].cols;
    d.x_bf16 = kernels_.bf16_activations;
    d.batch = batch_;
    d.activation = last ? kernels::Activation::none : activation_;
    d.out = last ? kernels::Output{logits_.data(), logits_ld_, 0, false}
                 : activation_output(head_inputs_[j + 1].data(), head_[j + 1].cols, 0);
    run_dense(d);
  }
}

void FastLstmEngine::feed(std::span<const std::int32_t> ids, int time, bool want_logits) {
  check_feed(ids, batch_, time, vocab_);
  const std::size_t table_ld = 4 * static_cast<std::size_t>(hidden_padded_);
  const int capacity = sequence_capacity();
  if (time == 1 || capacity == 1) {  // step by step
    for (int t = 0; t < time; ++t) {
      for (int b = 0; b < batch_; ++b)
        row_bias_[b] = table_.data() + ids[static_cast<std::size_t>(b) * time + t] * table_ld;
      step(want_logits && t + 1 == time);
    }
    return;
  }
  for (int t0 = 0; t0 < time; t0 += capacity)
    feed_sequence(ids, time, t0, std::min(capacity, time - t0));
  if (want_logits) run_head();
}

std::span<const float> FastLstmEngine::logits(int row) const {
  return {logits_.data() + static_cast<std::size_t>(row) * logits_ld_,
          static_cast<std::size_t>(vocab_)};
}

void FastLstmEngine::reorder(std::span<const int> source) {
  check_reorder(source, batch_);
  for (auto& layer : layers_) {
    gather_rows(layer->x[parity_].data(), layer->w.cols * activation_bytes(), source);
    gather_rows(reinterpret_cast<std::uint8_t*>(layer->c.data()), hidden_padded_ * 4, source);
  }
  gather_rows(reinterpret_cast<std::uint8_t*>(logits_.data()), logits_ld_ * 4, source);
}

std::string FastLstmEngine::description() const {
  return "fast lstm, " + kernels_.description() + ", " + std::to_string(team_.size()) +
         " thread(s)";
}

std::string FastLstmEngine::instruction_set() const {
  return kernels::to_string(kernels_.isa);
}

}  // namespace musegen::engine
