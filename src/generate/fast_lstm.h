// The fast LSTM engine: the network's weights repacked for the panel kernels (gates of 16
// units side by side, so one panel yields finished units), the first layer's input projection
// precomputed per token, double-buffered state, and each layer's panels shared by a thread
// team. One step of every row costs one pass over the weights. Torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "generate/kernels.h"
#include "generate/step_engine.h"
#include "generate/thread_team.h"

namespace musegen::generate {

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
  FastLstmEngine(const LstmNetwork& network, kernels::Precision precision, int threads);
  ~FastLstmEngine() override;

  int vocab_size() const override { return vocab_; }
  int batch() const override { return batch_; }
  void start(int batch) override;
  void feed(std::span<const std::int32_t> ids, int time, bool want_logits) override;
  std::span<const float> logits(int row) const override;
  void reorder(std::span<const int> source) override;
  std::string description() const override;

 private:
  struct Layer;
  void step(bool want_logits);
  void run_head();
  kernels::Output activation_output(void* data, int ld, int col) const;
  void* input_buffer(int layer, int parity);

  kernels::Precision precision_;
  int vocab_ = 0, hidden_padded_ = 0, batch_ = 0, parity_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<kernels::PackedMatrix> head_;  // hidden dense layers, then the output layer
  std::vector<kernels::AlignedArray<float>> head_bias_;
  kernels::Activation activation_;
  kernels::AlignedArray<float> table_;  // [vocab][4 * hidden_padded], packed row order
  std::vector<kernels::AlignedArray<std::uint8_t>> head_inputs_;  // one per head layer
  kernels::AlignedArray<float> logits_;                           // [batch][logits_ld_]
  int logits_ld_ = 0;
  std::vector<const float*> row_bias_;
  ThreadTeam team_;
};

}  // namespace musegen::generate
