// How far a model is from knowing nothing: the validation loss and accuracy that token
// frequencies alone give (a unigram model), and the verdict "barely trained" when a model's
// own figures are near them. Torch-free: the CLI says it after training and before generating.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "data/corpus.h"

namespace musegen::train {

struct UnigramBaseline {
  double loss = 0;         // nats per token of the validation part under the training frequencies
  double top_share = 0;    // share of validation tokens equal to the most frequent training token
  std::size_t tokens = 0;  // tokens it is measured on (0: nothing to measure)
  nlohmann::json to_json() const;
  static std::optional<UnigramBaseline> from_json(const nlohmann::json& j);  // nullopt if absent
};

// Frequencies counted on the training part (add-one smoothing over the vocabulary), measured on
// the validation part, or on the training part when there is none.
UnigramBaseline unigram_baseline(const data::Corpus& corpus);

// A one-line warning when the best evaluation in `metrics` (the checkpoint's rows) is within 5%
// of the baseline's loss or 2 points of its accuracy, or when no evaluation ran at all; nullopt
// for a model that learnt more than frequencies, or without a baseline (older model files).
std::optional<std::string> barely_trained(const nlohmann::json& metrics,
                                          const std::optional<UnigramBaseline>& baseline);

}  // namespace musegen::train
