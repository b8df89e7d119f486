// The fast Transformer engine: weights packed once for the kernel set, then per token and
// layer: layer norm, the q/k/v product, rotary positions, the new key and value into the
// cache, attention over the window's cached keys (rows shared by the team), the output
// projection, layer norm and the GELU feed-forward; the head when logits are wanted.
#include "engine/fast_transformer.h"

#include <cmath>
#include <cstring>

#include "core/errors.h"
#include "engine/engine_shared.h"

namespace musegen::engine {

using kernels::kColumnBlock;

namespace {

constexpr double kRotaryBase = 10000.0;  // as model/transformer.h
constexpr float kNormEpsilon = 1e-5f;    // LibTorch's LayerNorm default

void check_size(std::size_t size, std::size_t expected, const std::string& what) {
  if (size != expected)
    throw ConfigError("weights", what + " has " + std::to_string(size) + " values, expected " +
                                     std::to_string(expected));
}

void check_dense(const DenseWeights& d, int in, int out, const std::string& what) {
  if (d.in != in || d.out != out)
    throw ConfigError("weights", what + " is " + std::to_string(d.out) + " x " +
                                     std::to_string(d.in) + ", expected " + std::to_string(out) +
                                     " x " + std::to_string(in));
  check_size(d.weight.size(), static_cast<std::size_t>(in) * out, what);
  check_size(d.bias.size(), static_cast<std::size_t>(out), what + " bias");
}

// y = (x - mean) / sqrt(var + eps) * weight + bias over n values (biased variance).
void layer_norm(const float* x, int n, const TransformerNetwork::Norm& norm, float* y) {
  float mean = 0;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<float>(n);
  float var = 0;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  const float scale = 1.0f / std::sqrt(var / static_cast<float>(n) + kNormEpsilon);
  for (int i = 0; i < n; ++i) y[i] = (x[i] - mean) * scale * norm.weight[i] + norm.bias[i];
}

// GELU, tanh approximation (LibTorch's gelu(x, "tanh")).
float gelu(float x) {
  constexpr float kAlpha = 0.7978845608028654f;  // sqrt(2 / pi)
  return 0.5f * x * (1.0f + std::tanh(kAlpha * (x + 0.044715f * x * x * x)));
}

// Rotates each head's halves (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin), in place.
void rotate(float* x, int heads, int head_dim, const float* cos, const float* sin) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) {
    float* x1 = x + h * head_dim;
    float* x2 = x1 + half;
    for (int i = 0; i < half; ++i) {
      const float a = x1[i], b = x2[i];
      x1[i] = a * cos[i] - b * sin[i];
      x2[i] = b * cos[i] + a * sin[i];
    }
  }
}

}  // namespace

FastTransformerEngine::FastTransformerEngine(const TransformerNetwork& net,
                                             const kernels::KernelSet& kernels, int threads)
    : kernels_(kernels),
      vocab_(net.vocab_size),
      width_(net.width),
      heads_(net.heads),
      window_(net.window),
      activation_(net.activation),
      team_(threads) {
  if (vocab_ < 1 || width_ < 2 || heads_ < 1 || width_ % heads_ != 0 ||
      (width_ / heads_) % 2 != 0 || net.blocks.empty() || window_ < 0)
    throw ConfigError("weights",
                      "a Transformer needs a vocabulary, blocks, and heads that "
                      "split its width into even widths");
  head_dim_ = width_ / heads_;
  width_padded_ = round_up(width_, kColumnBlock);
  check_size(net.embedding.size(), static_cast<std::size_t>(vocab_) * width_, "embedding");
  embedding_ = net.embedding;
  ff_ = net.blocks.front().ff1.out;
  ff_padded_ = round_up(ff_, kColumnBlock);
  pack_blocks(net);
  check_size(net.norm.weight.size(), width_, "final norm");
  check_size(net.norm.bias.size(), width_, "final norm bias");
  norm_ = net.norm;
  pack_head(net);
  start(1);
}

FastTransformerEngine::~FastTransformerEngine() = default;

void FastTransformerEngine::pack_blocks(const TransformerNetwork& net) {
  for (std::size_t l = 0; l < net.blocks.size(); ++l) {
    const auto& src = net.blocks[l];
    const std::string name = "block " + std::to_string(l) + " ";
    check_dense(src.qkv, width_, 3 * width_, name + "qkv");
    check_dense(src.proj, width_, width_, name + "proj");
    check_dense(src.ff1, width_, ff_, name + "ff1");
    check_dense(src.ff2, ff_, width_, name + "ff2");
    for (const auto* norm : {&src.norm1, &src.norm2}) {
      check_size(norm->weight.size(), width_, name + "norm");
      check_size(norm->bias.size(), width_, name + "norm bias");
    }
    Layer layer;
    layer.norm1 = src.norm1;
    layer.norm2 = src.norm2;
    layer.qkv = pack(src.qkv, width_padded_);
    layer.proj = pack(src.proj, width_padded_);
    layer.ff1 = pack(src.ff1, width_padded_);
    layer.ff2 = pack(src.ff2, ff_padded_);
    layers_.push_back(std::move(layer));
  }
}

void FastTransformerEngine::pack_head(const TransformerNetwork& net) {
  int in = width_, in_padded = width_padded_;
  std::vector<const DenseWeights*> head;
  for (const auto& d : net.dense) head.push_back(&d);
  head.push_back(&net.output);
  for (std::size_t j = 0; j < head.size(); ++j) {
    const int out = j + 1 == head.size() ? vocab_ : head[j]->out;
    check_dense(*head[j], in, out, "head layer " + std::to_string(j));
    head_.push_back(pack(*head[j], in_padded));
    in = out;
    in_padded = head_.back().w.rows;
  }
  logits_ld_ = head_.back().w.rows;
}

FastTransformerEngine::Packed FastTransformerEngine::pack(const DenseWeights& d,
                                                          int in_padded) const {
  Packed p;
  const int out_padded = round_up(d.out, std::max(kernels_.panel_rows, kColumnBlock));
  p.w =
      kernels::pack_matrix(d.weight.data(), d.out, d.in, identity_map(d.out, out_padded),
                           identity_map(d.in, in_padded), kernels_.precision, kernels_.panel_rows);
  p.bias.resize(static_cast<std::size_t>(out_padded));
  std::copy(d.bias.begin(), d.bias.end(), p.bias.data());
  p.out = d.out;
  return p;
}

void FastTransformerEngine::start(int batch) {
  if (batch < 1) throw ConfigError("batch", "must be at least 1", "1..");
  batch_ = batch;
  if (batch >= kernels::kWidenedFromRows) {  // bf16 weights: float32 too, for many rows
    for (Layer& layer : layers_)
      for (Packed* p : {&layer.qkv, &layer.proj, &layer.ff1, &layer.ff2})
        kernels::add_widened_copy(p->w);
    for (Packed& p : head_) kernels::add_widened_copy(p.w);
  }
  position_ = 0;
  capacity_ = window_ > 0 ? window_ : 64;  // no window: grown as the rows get longer
  const auto b = static_cast<std::size_t>(batch);
  const std::size_t cache = b * static_cast<std::size_t>(capacity_) * width_;
  for (Layer& layer : layers_) {
    layer.keys.assign(cache, 0.0f);
    layer.values.assign(cache, 0.0f);
  }
  const int qkv_ld = layers_.front().qkv.w.rows, ff_ld = layers_.front().ff1.w.rows;
  x_.assign(b * width_, 0.0f);
  qkv_.assign(b * qkv_ld, 0.0f);
  attended_.assign(b * width_, 0.0f);
  hidden_.assign(b * std::max(ff_ld, layers_.front().proj.w.rows), 0.0f);
  scores_.assign(b * static_cast<std::size_t>(capacity_), 0.0f);
  cos_.assign(static_cast<std::size_t>(head_dim_ / 2), 1.0f);
  sin_.assign(cos_.size(), 0.0f);
  input_ld_ = std::max(width_padded_, ff_padded_);
  input_.resize(b * input_ld_ * activation_bytes());
  head_inputs_.resize(head_.size());
  for (std::size_t j = 0; j < head_.size(); ++j)
    head_inputs_[j].resize(b * head_[j].w.cols * activation_bytes());
  logits_.resize(b * logits_ld_);
}

void FastTransformerEngine::to_activations(const float* x, int ld, int n, std::uint8_t* out,
                                           int ld_out) const {
  for (int b = 0; b < batch_; ++b) {
    const float* row = x + static_cast<std::size_t>(b) * ld;
    if (kernels_.bf16_activations) {
      auto* o = reinterpret_cast<std::uint16_t*>(out) + static_cast<std::size_t>(b) * ld_out;
      for (int i = 0; i < n; ++i) o[i] = kernels::to_bf16(row[i]);
    } else {
      std::memcpy(reinterpret_cast<float*>(out) + static_cast<std::size_t>(b) * ld_out, row,
                  sizeof(float) * static_cast<std::size_t>(n));
    }
  }
}

void FastTransformerEngine::dense(const Packed& p, const std::uint8_t* input, float* y, int ldy,
                                  kernels::Activation activation) {
  kernels::DenseArgs d;
  d.w = &p.w;
  d.bias = p.bias.data();
  d.x = input;
  d.ldx = input_ld_;
  d.x_bf16 = kernels_.bf16_activations;
  d.batch = batch_;
  d.activation = activation;
  d.out = kernels::Output{y, ldy, 0, false};
  run_panels(team_, d, kernels_.dense);
}

void FastTransformerEngine::feed(std::span<const std::int32_t> ids, int time, bool want_logits) {
  check_feed(ids, batch_, time, vocab_);
  for (int t = 0; t < time; ++t) step(ids.data() + t, time, want_logits && t + 1 == time);
}

// One token of every row: ids[b * stride].
void FastTransformerEngine::step(const std::int32_t* ids, int stride, bool want_logits) {
  if (window_ == 0 && position_ >= capacity_) grow_cache(2 * static_cast<std::int64_t>(capacity_));
  for (int b = 0; b < batch_; ++b)
    std::memcpy(
        &x_[static_cast<std::size_t>(b) * width_],
        &embedding_[static_cast<std::size_t>(ids[static_cast<std::size_t>(b) * stride]) * width_],
        sizeof(float) * static_cast<std::size_t>(width_));
  for (std::size_t i = 0; i < cos_.size(); ++i) {
    const double angle = static_cast<double>(position_) *
                         std::pow(kRotaryBase, -2.0 * static_cast<double>(i) / head_dim_);
    cos_[i] = static_cast<float>(std::cos(angle));
    sin_[i] = static_cast<float>(std::sin(angle));
  }
  for (Layer& layer : layers_) {
    attention_block(layer);
    feed_forward_block(layer);
  }
  ++position_;
  if (want_logits) run_head();
}

void FastTransformerEngine::attention_block(Layer& layer) {
  std::vector<float>& normed = attended_;  // free until the attention writes it
  for (int b = 0; b < batch_; ++b)
    layer_norm(&x_[static_cast<std::size_t>(b) * width_], width_, layer.norm1,
               &normed[static_cast<std::size_t>(b) * width_]);
  to_activations(normed.data(), width_, width_, input_.data(), input_ld_);
  const int ld = layer.qkv.w.rows;
  dense(layer.qkv, input_.data(), qkv_.data(), ld);
  const int slot = static_cast<int>(position_ % capacity_);
  for (int b = 0; b < batch_; ++b) {
    float* row = &qkv_[static_cast<std::size_t>(b) * ld];
    rotate(row, heads_, head_dim_, cos_.data(), sin_.data());           // q
    rotate(row + width_, heads_, head_dim_, cos_.data(), sin_.data());  // k
    const std::size_t at = (static_cast<std::size_t>(b) * capacity_ + slot) * width_;
    std::memcpy(&layer.keys[at], row + width_, sizeof(float) * static_cast<std::size_t>(width_));
    std::memcpy(&layer.values[at], row + 2 * width_,
                sizeof(float) * static_cast<std::size_t>(width_));
  }
  const std::int64_t seen = position_ + 1;
  const int slots = static_cast<int>(window_ > 0 ? std::min<std::int64_t>(seen, window_) : seen);
  const int first_slot = static_cast<int>((seen - slots) % capacity_);
  if (team_.size() == 1 || batch_ == 1) {
    for (int b = 0; b < batch_; ++b) attend_row(layer, b, slots, first_slot);
  } else {
    team_.run_chunks(batch_, 1, [&](int begin, int end) {
      for (int b = begin; b < end; ++b) attend_row(layer, b, slots, first_slot);
    });
  }
  to_activations(attended_.data(), width_, width_, input_.data(), input_ld_);
  const int ld_proj = layer.proj.w.rows;
  dense(layer.proj, input_.data(), hidden_.data(), ld_proj);
  for (int b = 0; b < batch_; ++b)
    for (int i = 0; i < width_; ++i)
      x_[static_cast<std::size_t>(b) * width_ + i] +=
          hidden_[static_cast<std::size_t>(b) * ld_proj + i];
}

// Row b's attention, head by head, over its `slots` newest cached keys (oldest first).
void FastTransformerEngine::attend_row(const Layer& layer, int b, int slots, int first_slot) {
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim_)));
  const float* q_row = &qkv_[static_cast<std::size_t>(b) * layer.qkv.w.rows];
  const std::size_t row_base = static_cast<std::size_t>(b) * capacity_;
  float* scores = &scores_[row_base];
  float* out_row = &attended_[static_cast<std::size_t>(b) * width_];
  for (int h = 0; h < heads_; ++h) {
    const float* q = q_row + h * head_dim_;
    float top = -INFINITY;
    for (int j = 0; j < slots; ++j) {
      const std::size_t slot = (first_slot + j) % capacity_;
      const float* k = &layer.keys[(row_base + slot) * width_ + h * head_dim_];
      float dot = 0;
      for (int i = 0; i < head_dim_; ++i) dot += q[i] * k[i];
      scores[j] = dot * scale;
      top = std::max(top, scores[j]);
    }
    float sum = 0;
    for (int j = 0; j < slots; ++j) sum += scores[j] = std::exp(scores[j] - top);
    float* out = out_row + h * head_dim_;
    std::fill(out, out + head_dim_, 0.0f);
    for (int j = 0; j < slots; ++j) {
      const std::size_t slot = (first_slot + j) % capacity_;
      const float* v = &layer.values[(row_base + slot) * width_ + h * head_dim_];
      const float p = scores[j] / sum;
      for (int i = 0; i < head_dim_; ++i) out[i] += p * v[i];
    }
  }
}

void FastTransformerEngine::feed_forward_block(Layer& layer) {
  for (int b = 0; b < batch_; ++b)
    layer_norm(&x_[static_cast<std::size_t>(b) * width_], width_, layer.norm2,
               &attended_[static_cast<std::size_t>(b) * width_]);
  to_activations(attended_.data(), width_, width_, input_.data(), input_ld_);
  const int ld = layer.ff1.w.rows;
  dense(layer.ff1, input_.data(), hidden_.data(), ld);
  for (int b = 0; b < batch_; ++b) {
    float* row = &hidden_[static_cast<std::size_t>(b) * ld];
    for (int i = 0; i < ff_; ++i) row[i] = gelu(row[i]);
  }
  to_activations(hidden_.data(), ld, ff_, input_.data(), input_ld_);
  const int ld_out = layer.ff2.w.rows;
  dense(layer.ff2, input_.data(), hidden_.data(), ld_out);
  for (int b = 0; b < batch_; ++b)
    for (int i = 0; i < width_; ++i)
      x_[static_cast<std::size_t>(b) * width_ + i] +=
          hidden_[static_cast<std::size_t>(b) * ld_out + i];
}

void FastTransformerEngine::run_head() {
  for (int b = 0; b < batch_; ++b)
    layer_norm(&x_[static_cast<std::size_t>(b) * width_], width_, norm_,
               &attended_[static_cast<std::size_t>(b) * width_]);
  to_activations(attended_.data(), width_, width_, input_.data(), input_ld_);
  const std::uint8_t* input = input_.data();
  int ldx = input_ld_;
  for (std::size_t j = 0; j < head_.size(); ++j) {
    const bool last = j + 1 == head_.size();
    kernels::DenseArgs d;
    d.w = &head_[j].w;
    d.bias = head_[j].bias.data();
    d.x = input;
    d.ldx = ldx;
    d.x_bf16 = kernels_.bf16_activations;
    d.batch = batch_;
    d.activation = last ? kernels::Activation::none : activation_;
    d.out = last ? kernels::Output{logits_.data(), logits_ld_, 0, false}
                 : kernels::Output{head_inputs_[j + 1].data(), head_[j + 1].w.cols, 0,
                                   kernels_.bf16_activations};
    run_panels(team_, d, kernels_.dense);
    if (!last) {
      input = head_inputs_[j + 1].data();
      ldx = head_[j + 1].w.cols;
    }
  }
}

// Window 0: every key since start() is kept; the cache doubles when full (no slot wraps).
void FastTransformerEngine::grow_cache(std::int64_t needed) {
  const int old = capacity_;
  capacity_ = static_cast<int>(needed);
  const std::size_t row_old = static_cast<std::size_t>(old) * width_;
  const std::size_t row_new = static_cast<std::size_t>(capacity_) * width_;
  for (Layer& layer : layers_)
    for (auto* cache : {&layer.keys, &layer.values}) {
      std::vector<float> grown(static_cast<std::size_t>(batch_) * row_new, 0.0f);
      for (int b = 0; b < batch_; ++b)
        std::copy_n(cache->begin() + static_cast<std::ptrdiff_t>(b * row_old), row_old,
                    grown.begin() + static_cast<std::ptrdiff_t>(b * row_new));
      *cache = std::move(grown);
    }
  scores_.assign(static_cast<std::size_t>(batch_) * capacity_, 0.0f);
}

std::span<const float> FastTransformerEngine::logits(int row) const {
  return {logits_.data() + static_cast<std::size_t>(row) * logits_ld_,
          static_cast<std::size_t>(vocab_)};
}

void FastTransformerEngine::reorder(std::span<const int> source) {
  check_reorder(source, batch_);
  const std::size_t cache_row = sizeof(float) * static_cast<std::size_t>(capacity_) * width_;
  for (Layer& layer : layers_) {
    gather_rows(reinterpret_cast<std::uint8_t*>(layer.keys.data()), cache_row, source);
    gather_rows(reinterpret_cast<std::uint8_t*>(layer.values.data()), cache_row, source);
  }
  gather_rows(reinterpret_cast<std::uint8_t*>(logits_.data()), sizeof(float) * logits_ld_, source);
}

std::string FastTransformerEngine::description() const {
  return "fast transformer (key/value cache), " + kernels_.description() + ", " +
         std::to_string(team_.size()) + " thread(s)";
}

std::string FastTransformerEngine::instruction_set() const {
  return kernels::to_string(kernels_.isa);
}

}  // namespace musegen::engine
