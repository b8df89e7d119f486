// The fast LSTM engine: the network's weights repacked for a kernel set (gates of the same
// units side by side, so one panel yields finished units), the first layer's input projection
// precomputed per token, double-buffered state, and each layer's panels shared by a thread
// team. One step of every row costs one pass over the weights; feeding many tokens at once
// runs layer by layer over time instead: each layer's input projection for all the steps as one
// product, then its recurrence (fast_lstm_sequence.cpp), with the same numbers bit for bit.
// Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/kernels.h"
#include "engine/step_engine.h"
#include "engine/thread_team.h"

namespace musegen::engine {

// Plain float32 weights, as LibTorch's LSTM and Linear store them (row-major [out][in],
// gate order i, f, g, o).
struct DenseWeights {
  int in = 0, out = 0;
  std::vector<float> weight;  // [out][in]
  std::vector<float> bias;    // [out]
};

struct LstmNetwork {
  int vocab_size = 0;
  int hidden = 0;
  // Layer 0's input projection of every token with both biases: [vocab][4 * hidden].
  std::vector<float> input_table;
  struct Layer {
    std::vector<float> w_ih;  // [4 * hidden][hidden]; empty for layer 0 (in input_table)
    std::vector<float> w_hh;  // [4 * hidden][hidden]
    std::vector<float> bias;  // [4 * hidden], b_ih + b_hh; empty for layer 0
  };
  std::vector<Layer> layers;
  std::vector<DenseWeights> dense;  // hidden dense layers of the head
  kernels::Activation activation = kernels::Activation::none;
  DenseWeights output;  // -> logits [vocab]
};

class FastLstmEngine final : public StepEngine {
 public:
  // Throws ConfigError (key "weights") when the network's sizes do not fit together.
  FastLstmEngine(const LstmNetwork& network, const kernels::KernelSet& kernels, int threads);
  ~FastLstmEngine() override;

  int vocab_size() const override { return vocab_; }
  int batch() const override { return batch_; }
  void start(int batch) override;
  void feed(std::span<const std::int32_t> ids, int time, bool want_logits) override;
  std::span<const float> logits(int row) const override;
  void reorder(std::span<const int> source) override;
  std::string description() const override;
  std::string instruction_set() const override;
  const kernels::KernelSet& kernel_set() const { return kernels_; }

 private:
  struct Layer {
    kernels::PackedMatrix w;            // [W_ih | W_hh] (layer 0: W_hh), packed LSTM row order
    int in_cols = 0;                    // packed input columns: 0 for layer 0, hidden_padded after
    kernels::AlignedArray<float> bias;  // packed order; empty for layer 0
    kernels::AlignedArray<std::uint8_t> x[2];  // [batch][w.cols] activations, by parity
    kernels::AlignedArray<float> c;            // [batch][hidden_padded]
  };
  void pack_layers(const LstmNetwork& net);
  void pack_head(const LstmNetwork& net);
  void step(bool want_logits);
  // Steps t0 .. t0 + steps - 1 of ids [batch][time], layer by layer (fast_lstm_sequence.cpp);
  // the last layer's final h is left in the head's input.
  void feed_sequence(std::span<const std::int32_t> ids, int time, int t0, int steps);
  int sequence_capacity() const;  // steps per call of feed_sequence
  // Its parts: a layer's input projections of `steps` steps of every row from the h of the
  // layer below (`below`, [step][row]), and layer l's recurrence over them, each step's h to
  // `out` ([step][row]).
  void project_steps(const Layer& layer, const std::uint8_t* below, int steps);
  void recur_steps(int l, std::span<const std::int32_t> ids, int time, int t0, int steps,
                   std::uint8_t* out);
  void run_head();
  void run_lstm(const kernels::LstmArgs& args);
  void run_dense(const kernels::DenseArgs& args);
  kernels::Output activation_output(void* data, int ld, int col) const;
  std::size_t activation_bytes() const;

  const kernels::KernelSet& kernels_;
  int vocab_ = 0, hidden_padded_ = 0, batch_ = 0, parity_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<kernels::PackedMatrix> head_;  // hidden dense layers, then the output layer
  std::vector<kernels::AlignedArray<float>> head_bias_;
  kernels::Activation activation_;
  kernels::AlignedArray<float> table_;  // [vocab][4 * hidden_padded], packed row order
  std::vector<kernels::AlignedArray<std::uint8_t>> head_inputs_;  // one per head layer
  kernels::AlignedArray<float> logits_;                           // [batch][logits_ld_]
  int logits_ld_ = 0;
  std::vector<const float*> row_bias_;  // per row (per step and row in a sequence)
  // Sequences: every step's h of the layer below and of this layer, and this layer's input
  // projections, for up to sequence_steps_ steps of every row.
  kernels::AlignedArray<std::uint8_t> sequence_h_[2];  // [steps][batch][hidden_padded]
  kernels::AlignedArray<float> projection_;            // [steps][batch][4 * hidden_padded]
  int sequence_steps_ = 0;
  ThreadTeam team_;
};

}  // namespace musegen::engine
