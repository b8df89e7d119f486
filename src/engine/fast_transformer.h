// The fast Transformer engine: a decoder-only Transformer (model/transformer.h) generating
// with a key/value cache, so each new token costs one pass over the weights plus its attention
// over the cached keys of the window, instead of re-running the whole history. The products
// run on the LSTM engine's dense kernels (engine/kernels.h: SIMD for every CPU, chosen at run
// time, float32 or bfloat16 weights), shared by its thread team; layer norm, rotary positions,
// attention and GELU are plain loops over contiguous floats. Torch-free.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/fast_lstm.h"
#include "engine/kernels.h"
#include "engine/step_engine.h"
#include "engine/thread_team.h"

namespace musegen::engine {

// Plain float32 weights as SequenceModel's Transformer stores them.
struct TransformerNetwork {
  int vocab_size = 0;
  int width = 0;                 // hidden_size = embedding width
  int heads = 1;                 // width / heads is even (rotary pairs)
  int window = 0;                // keys each token sees, itself included; 0: every one before
  std::vector<float> embedding;  // [vocab][width]
  struct Norm {
    std::vector<float> weight, bias;  // [width]
  };
  struct Block {
    Norm norm1, norm2;
    DenseWeights qkv;  // [3 width][width]: q (head by head), k, v
    DenseWeights proj, ff1, ff2;
  };
  std::vector<Block> blocks;
  Norm norm;                        // the final layer norm
  std::vector<DenseWeights> dense;  // hidden dense layers of the head
  kernels::Activation activation = kernels::Activation::none;
  DenseWeights output;  // -> logits [vocab]
};

class FastTransformerEngine final : public StepEngine {
 public:
  // Throws ConfigError (key "weights") when the network's sizes do not fit together.
  FastTransformerEngine(const TransformerNetwork& network, const kernels::KernelSet& kernels,
                        int threads);
  ~FastTransformerEngine() override;

  int vocab_size() const override { return vocab_; }
  int batch() const override { return batch_; }
  void start(int batch) override;
  void feed(std::span<const std::int32_t> ids, int time, bool want_logits) override;
  std::span<const float> logits(int row) const override;
  void reorder(std::span<const int> source) override;
  std::string description() const override;
  std::string instruction_set() const override;
  // Tokens every row has read since start().
  std::int64_t position() const { return position_; }

 private:
  struct Packed {
    kernels::PackedMatrix w;
    kernels::AlignedArray<float> bias;
    int out = 0;  // rows that matter (the rest is padding)
  };
  struct Layer {
    TransformerNetwork::Norm norm1, norm2;
    Packed qkv, proj, ff1, ff2;
    std::vector<float> keys, values;  // cache [batch][capacity][width], slot = position % capacity
  };
  Packed pack(const DenseWeights& d, int in_padded) const;
  void pack_blocks(const TransformerNetwork& net);
  void pack_head(const TransformerNetwork& net);
  void step(const std::int32_t* ids, int stride, bool want_logits);
  void attention_block(Layer& layer);
  void feed_forward_block(Layer& layer);
  void run_head();
  // y[b][0..out) = W x_b + bias, x_b the activation rows in `input` (width padded to w.cols).
  void dense(const Packed& p, const std::uint8_t* input, float* y, int ldy,
             kernels::Activation activation = kernels::Activation::none);
  void to_activations(const float* x, int ld, int n, std::uint8_t* out, int ld_out) const;
  void attend_row(const Layer& layer, int b, int slots, int first_slot);
  void grow_cache(std::int64_t needed);
  std::size_t activation_bytes() const { return kernels_.bf16_activations ? 2 : 4; }

  const kernels::KernelSet& kernels_;
  int vocab_ = 0, width_ = 0, heads_ = 1, head_dim_ = 0, window_ = 0, ff_ = 0;
  int width_padded_ = 0, ff_padded_ = 0, batch_ = 0;
  int capacity_ = 0;           // cached positions per row
  std::int64_t position_ = 0;  // tokens read by every row
  std::vector<float> embedding_;
  std::vector<Layer> layers_;
  TransformerNetwork::Norm norm_;
  std::vector<Packed> head_;
  kernels::Activation activation_;
  // Per step: the residual stream x [batch][width], q/k/v [batch][3 width padded], attention
  // output and feed-forward values, activation rows for the products, logits.
  std::vector<float> x_, qkv_, attended_, hidden_, cos_, sin_, scores_;
  kernels::AlignedArray<std::uint8_t> input_;  // [batch][max padded width] in activation form
  std::vector<kernels::AlignedArray<std::uint8_t>> head_inputs_;
  kernels::AlignedArray<float> logits_;  // [batch][logits_ld_]
  int logits_ld_ = 0, input_ld_ = 0;
  ThreadTeam team_;
};

}  // namespace musegen::engine
