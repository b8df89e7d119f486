// The networks' parameter tables (sequence model with a recurrent or Transformer stack, and the
// piano-roll GAN), as LibTorch names and shapes their modules' tensors.
#include "model/network_shapes.h"

#include <algorithm>

namespace musegen::model {

namespace {

using Shape = std::vector<std::int64_t>;

void add_layer(std::vector<TensorShape>& out, const std::string& prefix, Shape weight,
               std::int64_t bias) {
  out.push_back({prefix + ".weight", std::move(weight)});
  out.push_back({prefix + ".bias", {bias}});
}

void add_recurrent(std::vector<TensorShape>& out, const ModelConfig& config, std::int64_t input) {
  const std::int64_t hidden = config.hidden_size;
  const std::int64_t gates = config.cell == "lstm" ? 4 : config.cell == "gru" ? 3 : 1;
  for (int layer = 0; layer < config.num_layers; ++layer) {
    const std::string suffix = "_l" + std::to_string(layer);
    const std::string prefix = config.cell + ".";
    out.push_back({prefix + "weight_ih" + suffix, {gates * hidden, layer == 0 ? input : hidden}});
    out.push_back({prefix + "weight_hh" + suffix, {gates * hidden, hidden}});
    out.push_back({prefix + "bias_ih" + suffix, {gates * hidden}});
    out.push_back({prefix + "bias_hh" + suffix, {gates * hidden}});
  }
}

// model/transformer.h: per block norm1, qkv, proj, norm2, ff1, ff2; then the final norm.
void add_transformer(std::vector<TensorShape>& out, const ModelConfig& config) {
  const std::int64_t width = config.hidden_size, ff = config.ff_size;
  for (int layer = 0; layer < config.num_layers; ++layer) {
    const std::string prefix = "transformer.blocks." + std::to_string(layer) + ".";
    add_layer(out, prefix + "norm1", {width}, width);
    add_layer(out, prefix + "qkv", {3 * width, width}, 3 * width);
    add_layer(out, prefix + "proj", {width, width}, width);
    add_layer(out, prefix + "norm2", {width}, width);
    add_layer(out, prefix + "ff1", {ff, width}, ff);
    add_layer(out, prefix + "ff2", {width, ff}, width);
  }
  add_layer(out, "transformer.norm", {width}, width);
}

// model/gan.h: the generator's and the critic's layers in registration order. Convolutions
// are [out, in, kt, kp], transposed ones [in, out, kt, kp].
std::vector<TensorShape> gan_parameters(const ModelConfig& c) {
  const std::int64_t octaves = (c.gan_pitch_high - c.gan_pitch_low + 1 + 11) / 12;
  auto width = [&](int divisor) { return std::int64_t{std::max(8, c.hidden_size / divisor)}; };
  const std::int64_t c1 = width(1), c2 = width(2), c4 = width(4), planes = 2 * c.gan_tracks;
  const std::int64_t beat_steps = c.gan_steps_per_bar / 4;
  std::vector<TensorShape> out;
  add_layer(out, "generator.project", {c1 * c.gan_bars * octaves, c.noise_dim},
            c1 * c.gan_bars * octaves);
  add_layer(out, "generator.beats", {c1, c2, 4, 1}, c2);
  add_layer(out, "generator.steps", {c2, c4, beat_steps, 1}, c4);
  add_layer(out, "generator.refine", {c4, c4, 3, 3}, c4);
  add_layer(out, "generator.pitches", {c4, planes, 1, 12}, planes);
  add_layer(out, "critic.pitches", {c4, planes, 1, 12}, c4);
  add_layer(out, "critic.refine", {c4, c4, 3, 3}, c4);
  add_layer(out, "critic.steps", {c2, c4, beat_steps, 1}, c2);
  add_layer(out, "critic.beats", {c1, c2, 4, 1}, c1);
  add_layer(out, "critic.octaves", {c1, c1, 1, octaves}, c1);
  add_layer(out, "critic.score", {1, c1 * c.gan_bars}, 1);
  return out;
}

}  // namespace

std::vector<TensorShape> network_parameters(const ModelConfig& config) {
  if (config.gan()) return gan_parameters(config);
  std::vector<TensorShape> out;
  const std::int64_t vocab = config.vocab_size;
  if (config.transformer()) {
    out.push_back({"embedding.weight", {vocab, config.hidden_size}});
    add_transformer(out, config);
  } else {
    std::int64_t input = 1;  // "scalar": the id as one number
    if (config.input == "embedding") {
      out.push_back({"embedding.weight", {vocab, config.embedding_dim}});
      input = config.embedding_dim;
    }
    add_recurrent(out, config, input);
  }
  std::int64_t width = config.hidden_size;
  for (std::size_t i = 0; i < config.dense_sizes.size(); ++i) {
    add_layer(out, "dense." + std::to_string(i), {config.dense_sizes[i], width},
              config.dense_sizes[i]);
    width = config.dense_sizes[i];
  }
  add_layer(out, "output", {vocab, width}, vocab);
  return out;
}

}  // namespace musegen::model
