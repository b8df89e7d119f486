// A tiny valid model file built without LibTorch: the small preset shrunk to an 8-token
// tutorial vocabulary, 1 x LSTM 4 and no dense layer, weights that are a function of their
// position, Adam state after 3 steps. About 3 KB, so tests can damage it at every byte.
#pragma once

#include <cmath>
#include <string>

#include "model/checkpoint.h"
#include "model/network_shapes.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::model::testing {

inline Tensor filled(const std::string& name, const std::vector<std::int64_t>& shape, float scale) {
  Tensor t{name, shape, {}};
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  for (std::int64_t i = 0; i < n; ++i)
    t.values.push_back(scale * static_cast<float>(std::sin(0.7 * static_cast<double>(i) + n)));
  return t;
}

inline Checkpoint tiny_checkpoint(bool with_optimizer = true) {
  Checkpoint c;
  c.preset = make_preset("small");
  c.preset.model.embedding_dim = 4;
  c.preset.model.hidden_size = 4;
  c.preset.model.num_layers = 1;
  c.preset.model.dense_sizes = {};
  c.preset.train.tokenizer = "tutorial";
  c.preset.train.optimizer = "adam";
  tokenize::Vocabulary vocab = tokenize::Vocabulary::from_sequences({{"C4", "E4", "G4", "C4.E4"}});
  c.vocabulary = vocab.to_json(tokenize::make_tokenizer("tutorial")->config());
  c.preset.model.vocab_size = static_cast<int>(vocab.size());
  c.epoch = 2;
  c.step = 3;
  c.metrics = nlohmann::json::array({{{"epoch", 1}, {"valid_loss", 2.5}}});
  c.trainer_state = {{"version", 1}, {"best", 2.5}};
  const auto network = network_parameters(c.preset.model);
  for (const auto& p : network) c.weights.tensors.push_back(filled(p.name, p.shape, 0.1f));
  if (with_optimizer) {
    OptimizerState state;
    for (std::size_t i = 0; i < network.size(); ++i) {
      state.steps.push_back(3);
      const std::string prefix = "param." + std::to_string(i) + ".";
      state.tensors.tensors.push_back(filled(prefix + "exp_avg", network[i].shape, 0.01f));
      state.tensors.tensors.push_back(filled(prefix + "exp_avg_sq", network[i].shape, 0.001f));
    }
    c.optimizer = state;
  }
  return c;
}

// `bytes` with its last 8 bytes replaced by the checksum of the rest: a damaged file that the
// checksum no longer catches, so the parser beneath it is what is tested.
inline std::string with_checksum(std::string bytes) {
  if (bytes.size() < 8) return bytes;
  const std::uint64_t sum =
      checkpoint_checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
  for (int i = 0; i < 8; ++i)
    bytes[bytes.size() - 8 + static_cast<std::size_t>(i)] =
        static_cast<char>((sum >> (8 * i)) & 0xff);
  return bytes;
}

}  // namespace musegen::model::testing
