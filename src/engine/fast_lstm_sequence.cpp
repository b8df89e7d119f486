// Many tokens at once: layer by layer over the steps. A layer's input projection for all the
// steps is one product (the dense kernel over the packed input columns, every step and row a
// row of its batch), then the recurrence runs step by step over the packed recurrent columns
// with the projection as each row's bias. A single step adds the same products in the same
// order to the same bias, so both give the same numbers bit for bit; here each layer's weights
// stay in cache over all the steps instead of every layer's weights being read at every step.
#include <algorithm>
#include <cstring>

#include "engine/fast_lstm.h"

namespace musegen::engine {

namespace {

// Rows (steps x batch) of a sequence call: the projections' buffer is this many rows of 4 x
// hidden floats (2 MB for hidden 512).
constexpr int kSequenceRows = 256;

}  // namespace

int FastLstmEngine::sequence_capacity() const {
  return std::max(1, kSequenceRows / batch_);
}

void FastLstmEngine::feed_sequence(std::span<const std::int32_t> ids, int time, int t0, int steps) {
  const std::size_t es = activation_bytes();
  const std::size_t h_row = static_cast<std::size_t>(hidden_padded_) * es;  // bytes
  const std::size_t block = h_row * batch_;                                 // one step, all rows
  if (sequence_steps_ < steps) {
    sequence_steps_ = sequence_capacity();
    for (auto& h : sequence_h_) h.resize(sequence_steps_ * block);
    projection_.resize(static_cast<std::size_t>(sequence_steps_) * batch_ * 4 * hidden_padded_);
  }
  const int n_layers = static_cast<int>(layers_.size());
  for (int l = 0; l < n_layers; ++l) {
    Layer& layer = *layers_[l];
    std::uint8_t* out = sequence_h_[l % 2].data();  // [step][row]; layer l - 1's in the other
    if (l > 0) project_steps(layer, sequence_h_[(l + 1) % 2].data(), steps);
    recur_steps(l, ids, time, t0, steps, out);
    const std::uint8_t* last = out + (steps - 1) * block;  // carried to the next step
    std::uint8_t* own = layer.x[parity_].data() + layer.in_cols * es;
    for (int b = 0; b < batch_; ++b)
      std::memcpy(own + std::size_t(b) * layer.w.cols * es, last + b * h_row, h_row);
    if (l + 1 == n_layers)
      for (int b = 0; b < batch_; ++b)
        std::memcpy(head_inputs_[0].data() + std::size_t(b) * head_[0].cols * es, last + b * h_row,
                    h_row);
  }
}

void FastLstmEngine::project_steps(const Layer& layer, const std::uint8_t* below, int steps) {
  kernels::DenseArgs d;
  d.w = &layer.w;
  d.columns = {0, layer.in_cols};
  d.bias = layer.bias.data();
  d.x = below;
  d.ldx = hidden_padded_;
  d.x_bf16 = kernels_.bf16_activations;
  d.batch = steps * batch_;
  d.out = kernels::Output{projection_.data(), 4 * hidden_padded_, 0, false};
  run_dense(d);
}

void FastLstmEngine::recur_steps(int l, std::span<const std::int32_t> ids, int time, int t0,
                                 int steps, std::uint8_t* out) {
  Layer& layer = *layers_[l];
  const std::size_t es = activation_bytes();
  const std::size_t block = static_cast<std::size_t>(hidden_padded_) * es * batch_;
  const std::size_t gates_ld = 4 * static_cast<std::size_t>(hidden_padded_);
  for (int t = 0; t < steps; ++t) {
    for (int b = 0; b < batch_; ++b)
      row_bias_[b] =
          l == 0 ? table_.data() + std::size_t(ids[std::size_t(b) * time + t0 + t]) * gates_ld
                 : projection_.data() + (std::size_t(t) * batch_ + b) * gates_ld;
    kernels::LstmArgs a;
    a.w = &layer.w;
    a.columns = {layer.in_cols, layer.w.cols};
    a.row_bias = row_bias_.data();
    // The first step reads the h carried in the layer's own columns, the others the step before.
    a.x = t == 0 ? layer.x[parity_].data() + layer.in_cols * es : out + (t - 1) * block;
    a.ldx = t == 0 ? layer.w.cols : hidden_padded_;
    a.x_bf16 = kernels_.bf16_activations;
    a.c = layer.c.data();
    a.ldc = hidden_padded_;
    a.batch = batch_;
    a.out[a.n_out++] = activation_output(out + t * block, hidden_padded_, 0);
    run_lstm(a);
  }
}

}  // namespace musegen::engine
