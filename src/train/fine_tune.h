// Fine-tuning: a new run that starts from a trained model's weights, configuration and
// vocabulary instead of from nothing (its preset: preset_for_fine_tune in run_setup.h). Tokens
// of the new corpus that the model lacks are added to its vocabulary, with new rows in the
// embedding and the output layer. The corpus is read with the model's tokenizer and its own
// vocabulary (corpus_options with the model, without the fixed vocabulary), then merged.
// Torch-free header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "model/checkpoint.h"

namespace musegen::model {
class SequenceModelImpl;
}

namespace musegen::train {

struct VocabularyExtension {
  std::size_t model_tokens = 0;    // the model's vocabulary size
  std::vector<std::string> added;  // tokens of the training files the model lacked, in id order
  std::size_t unknown_valid = 0;   // validation tokens in neither (now <unk>)
};

// Rewrites `corpus` to the model's vocabulary followed by the training part's new tokens (in
// the corpus vocabulary's order): the model's ids keep their meaning. Validation tokens the
// extended vocabulary lacks become <unk>. Throws ConfigError (key "from") when tokens must be
// added to a model with the tutorial's scalar input, whose input scale is the vocabulary size.
VocabularyExtension extend_vocabulary(data::Corpus& corpus, const model::Checkpoint& from);

// Copies `from`'s weights into `model`, built for the extended vocabulary (same shape
// otherwise). New rows: the embedding's and the output weights' are the mean of the model's
// rows, the output bias the lowest of its biases, so a new token starts as the least likely.
// Throws ParseError(name, ...) for weights that do not fit.
void load_start_weights(model::SequenceModelImpl& model, const model::Checkpoint& from,
                        const std::string& name);

}  // namespace musegen::train
