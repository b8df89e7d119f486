// The Transformer stack: rotary tables, windowed causal attention (in query blocks for long
// inputs), pre-norm blocks and GPT-2 initial weights.
#include "model/transformer.h"

#include <cmath>
#include <limits>
#include <vector>

namespace musegen::model {

std::pair<torch::Tensor, torch::Tensor> rotary_tables(std::int64_t first, std::int64_t count,
                                                      std::int64_t head_dim) {
  const std::int64_t half = head_dim / 2;
  std::vector<float> cos(static_cast<std::size_t>(count * half)), sin(cos.size());
  for (std::int64_t t = 0; t < count; ++t)
    for (std::int64_t i = 0; i < half; ++i) {
      const double inverse_frequency =
          std::pow(kRotaryBase, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
      const double angle = static_cast<double>(first + t) * inverse_frequency;
      cos[static_cast<std::size_t>(t * half + i)] = static_cast<float>(std::cos(angle));
      sin[static_cast<std::size_t>(t * half + i)] = static_cast<float>(std::sin(angle));
    }
  auto as_tensor = [&](std::vector<float>& v) {
    return torch::from_blob(v.data(), {count, half}, torch::kFloat32).clone();
  };
  return {as_tensor(cos), as_tensor(sin)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const torch::Tensor& cos,
                           const torch::Tensor& sin) {
  const std::int64_t half = x.size(-1) / 2;
  const torch::Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  return torch::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
}

namespace {

// Attention of queries at positions q_first.. over keys at k_first.. with the causal window.
torch::Tensor attend_block(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                           std::int64_t q_first, std::int64_t k_first, std::int64_t window,
                           double dropout, bool training) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
  const auto options = torch::TensorOptions().dtype(torch::kInt64);
  const torch::Tensor q_pos = torch::arange(q_first, q_first + q.size(2), options).unsqueeze(1);
  const torch::Tensor k_pos = torch::arange(k_first, k_first + k.size(2), options).unsqueeze(0);
  torch::Tensor hidden = k_pos > q_pos;
  if (window > 0) hidden = hidden.logical_or(k_pos <= q_pos - window);
  scores = scores.masked_fill(hidden, -std::numeric_limits<float>::infinity());
  torch::Tensor p = torch::softmax(scores, -1);
  if (dropout > 0) p = torch::dropout(p, dropout, training);
  return torch::matmul(p, v);
}

}  // namespace

torch::Tensor windowed_attention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, std::int64_t window, double dropout,
                                 bool training) {
  const std::int64_t T = q.size(2);
  if (window <= 0 || T <= 2 * window) return attend_block(q, k, v, 0, 0, window, dropout, training);
  std::vector<torch::Tensor> blocks;
  for (std::int64_t first = 0; first < T; first += window) {
    const std::int64_t n = std::min(window, T - first);
    const std::int64_t k_first = std::max<std::int64_t>(0, first - window + 1);
    const std::int64_t n_keys = first + n - k_first;
    blocks.push_back(attend_block(q.narrow(2, first, n), k.narrow(2, k_first, n_keys),
                                  v.narrow(2, k_first, n_keys), first, k_first, window, dropout,
                                  training));
  }
  return torch::cat(blocks, 2);
}

TransformerBlockImpl::TransformerBlockImpl(std::int64_t width, std::int64_t heads,
                                           std::int64_t ff_size, double dropout)
    : heads_(heads), dropout_(dropout) {
  norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  qkv = register_module("qkv", torch::nn::Linear(width, 3 * width));
  proj = register_module("proj", torch::nn::Linear(width, width));
  norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  ff1 = register_module("ff1", torch::nn::Linear(width, ff_size));
  ff2 = register_module("ff2", torch::nn::Linear(ff_size, width));
}

// qkv's rows are q (head 0's head_dim rows, head 1's, ...), then k, then v.
torch::Tensor TransformerBlockImpl::attention(const torch::Tensor& x, const torch::Tensor& cos,
                                              const torch::Tensor& sin, std::int64_t window) {
  const std::int64_t B = x.size(0), T = x.size(1), width = x.size(2);
  const torch::Tensor parts =
      qkv->forward(x).view({B, T, 3, heads_, width / heads_}).permute({2, 0, 3, 1, 4});
  const torch::Tensor q = apply_rotary(parts[0], cos, sin);
  const torch::Tensor k = apply_rotary(parts[1], cos, sin);
  const torch::Tensor y = windowed_attention(q, k, parts[2], window, dropout_, is_training());
  return proj->forward(y.transpose(1, 2).reshape({B, T, width}));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& cos,
                                            const torch::Tensor& sin, std::int64_t window) {
  torch::Tensor h =
      x + torch::dropout(attention(norm1->forward(x), cos, sin, window), dropout_, is_training());
  torch::Tensor f = ff2->forward(torch::gelu(ff1->forward(norm2->forward(h)), "tanh"));
  return h + torch::dropout(f, dropout_, is_training());
}

TransformerStackImpl::TransformerStackImpl(const ModelConfig& config) : config_(config) {
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int l = 0; l < config.num_layers; ++l)
    blocks_->push_back(
        TransformerBlock(config.hidden_size, config.num_heads, config.ff_size, config.dropout));
  norm_ = register_module("norm",
                          torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size})));
}

torch::Tensor TransformerStackImpl::forward(const torch::Tensor& x) {
  const std::int64_t head_dim = config_.hidden_size / config_.num_heads;
  auto [cos, sin] = rotary_tables(0, x.size(1), head_dim);
  torch::Tensor h = x;
  for (const auto& block : *blocks_)
    h = block->as<TransformerBlock>()->forward(h, cos, sin, config_.attention_window);
  return norm_->forward(h);
}

void TransformerStackImpl::gpt2_init() {
  torch::NoGradGuard no_grad;
  const double residual_std = 0.02 / std::sqrt(2.0 * config_.num_layers);
  for (const auto& block : *blocks_) {
    auto* b = block->as<TransformerBlock>();
    for (auto* linear : {&b->qkv, &b->proj, &b->ff1, &b->ff2}) {
      const bool residual = linear == &b->proj || linear == &b->ff2;
      (*linear)->weight.normal_(0.0, residual ? residual_std : 0.02);
      (*linear)->bias.zero_();
    }
  }
}

}  // namespace musegen::model
