// FLOP counts of the sequence model's matrix products, layer by layer.
#include "model/flops.h"

#include <algorithm>

namespace musegen::model {

namespace {

// A Transformer over one sequence of `time` tokens: per block the q, k, v, output and
// feed-forward products at every position, and the attention's two products (scores, then the
// weighted values) over the keys each position sees.
double transformer_stack_flops(const ModelConfig& config, std::int64_t time) {
  const double width = config.hidden_size;
  const double per_token = 2.0 * width * (4.0 * width + 2.0 * config.ff_size);
  double keys = 0;  // keys seen, summed over positions
  for (std::int64_t t = 0; t < time; ++t)
    keys += static_cast<double>(config.attention_window > 0
                                    ? std::min<std::int64_t>(t + 1, config.attention_window)
                                    : t + 1);
  return config.num_layers * (per_token * static_cast<double>(time) + 4.0 * width * keys);
}

}  // namespace

double forward_flops(const ModelConfig& config, std::int64_t batch, std::int64_t time,
                     bool head_every_step) {
  if (config.transformer()) {
    double head = 0, width = config.hidden_size;
    for (int size : config.dense_sizes) {
      head += 2.0 * width * size;
      width = size;
    }
    head += 2.0 * width * config.vocab_size;
    const double positions = head_every_step ? static_cast<double>(time) : 1.0;
    return static_cast<double>(batch) * (transformer_stack_flops(config, time) + head * positions);
  }
  const double gates = config.cell == "lstm" ? 4.0 : config.cell == "gru" ? 3.0 : 1.0;
  const double hidden = config.hidden_size;
  double input = config.input == "embedding" ? config.embedding_dim : 1.0;
  double per_step = 0;  // per sequence and step
  for (int layer = 0; layer < config.num_layers; ++layer) {
    per_step += 2.0 * gates * hidden * (input + hidden);
    input = hidden;
  }
  double head = 0;  // per position the head runs at
  double width = hidden;
  for (int size : config.dense_sizes) {
    head += 2.0 * width * size;
    width = size;
  }
  head += 2.0 * width * config.vocab_size;
  const double steps = static_cast<double>(batch) * static_cast<double>(time);
  const double head_positions = head_every_step ? steps : static_cast<double>(batch);
  return per_step * steps + head * head_positions;
}

double train_step_flops(const ModelConfig& config, std::int64_t batch, std::int64_t time,
                        bool head_every_step) {
  return 3.0 * forward_flops(config, batch, time, head_every_step);
}

}  // namespace musegen::model
