// The sequence model's parameter table, as LibTorch names and shapes its modules' tensors.
#include "model/network_shapes.h"

namespace musegen::model {

std::vector<TensorShape> network_parameters(const ModelConfig& config) {
  std::vector<TensorShape> out;
  const std::int64_t vocab = config.vocab_size, hidden = config.hidden_size;
  std::int64_t input = 1;  // "scalar": the id as one number
  if (config.input == "embedding") {
    out.push_back({"embedding.weight", {vocab, config.embedding_dim}});
    input = config.embedding_dim;
  }
  const std::int64_t gates = config.cell == "lstm" ? 4 : config.cell == "gru" ? 3 : 1;
  for (int layer = 0; layer < config.num_layers; ++layer) {
    const std::string suffix = "_l" + std::to_string(layer);
    const std::string prefix = config.cell + ".";
    out.push_back({prefix + "weight_ih" + suffix, {gates * hidden, layer == 0 ? input : hidden}});
    out.push_back({prefix + "weight_hh" + suffix, {gates * hidden, hidden}});
    out.push_back({prefix + "bias_ih" + suffix, {gates * hidden}});
    out.push_back({prefix + "bias_hh" + suffix, {gates * hidden}});
  }
  std::int64_t width = hidden;
  for (std::size_t i = 0; i < config.dense_sizes.size(); ++i) {
    const std::string prefix = "dense." + std::to_string(i) + ".";
    out.push_back({prefix + "weight", {config.dense_sizes[i], width}});
    out.push_back({prefix + "bias", {config.dense_sizes[i]}});
    width = config.dense_sizes[i];
  }
  out.push_back({"output.weight", {vocab, width}});
  out.push_back({"output.bias", {vocab}});
  return out;
}

}  // namespace musegen::model
