// The decoder-only Transformer stack of SequenceModel's arch "transformer": pre-norm blocks of
// causal self-attention with rotary positions over a sliding window, and a GELU feed-forward,
// then a final layer norm. Positions are relative (rotary), so a model trained on chunks of N
// tokens generates pieces of any length: no token ever attends further back than the window.
// Include only where LibTorch is needed.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <utility>

#include "model/config.h"

namespace musegen::model {

inline constexpr double kRotaryBase = 10000.0;

// cos and sin of the rotary angles pos * base^(-2i / head_dim) for positions first ..
// first + count - 1 and i = 0 .. head_dim / 2 - 1: two float32 tensors [count, head_dim / 2],
// computed in double and rounded once (the fast engine and the PyTorch reference do the same).
std::pair<torch::Tensor, torch::Tensor> rotary_tables(std::int64_t first, std::int64_t count,
                                                      std::int64_t head_dim);

// Rotates x [..., T, head_dim] by the tables of its T positions: the first and second halves
// of each head are the pairs (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin).
torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos,
                           const torch::Tensor& sin);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  TransformerBlockImpl(std::int64_t width, std::int64_t heads, std::int64_t ff_size,
                       double dropout);
  // x [batch, T, width] at positions 0 .. T-1 (cos, sin from rotary_tables(0, T, ...)). Each
  // position attends to itself and the window - 1 before it (window 0: every one before).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        std::int64_t window);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Linear qkv{nullptr}, proj{nullptr}, ff1{nullptr}, ff2{nullptr};

 private:
  torch::Tensor attention(const torch::Tensor& x, const torch::Tensor& cos,
                          const torch::Tensor& sin, std::int64_t window);

  std::int64_t heads_;
  double dropout_;
};
TORCH_MODULE(TransformerBlock);

class TransformerStackImpl : public torch::nn::Module {
 public:
  explicit TransformerStackImpl(const ModelConfig& config);
  // x: the embedded tokens [batch, T, hidden_size] at positions 0 .. T-1; returns the final
  // layer norm's output, same shape.
  torch::Tensor forward(const torch::Tensor& x);
  // GPT-2's initial weights: every Linear N(0, 0.02) with zero bias, the two projections back
  // into the residual stream N(0, 0.02 / sqrt(2 * layers)), layer norms 1 and 0.
  void gpt2_init();

 private:
  ModelConfig config_;
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(TransformerStack);

// Causal attention of q, k, v [batch, heads, T, head_dim] where query i sees keys i - window + 1
// .. i (window 0: 0 .. i), with dropout on the probabilities in training. Long inputs are
// computed in blocks of queries so memory grows with T x window, not T x T.
torch::Tensor windowed_attention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, std::int64_t window, double dropout,
                                 bool training);

}  // namespace musegen::model
