// FLOP counts of the sequence model's matrix products, layer by layer.
#include "model/flops.h"

namespace musegen::model {

double forward_flops(const ModelConfig& config, std::int64_t batch, std::int64_t time,
                     bool head_every_step) {
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
