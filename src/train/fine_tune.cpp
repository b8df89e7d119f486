// Fine-tuning's vocabulary merge (the model's ids first, the new corpus's tokens after) and the
// start weights with their new rows.
#include "train/fine_tune.h"

#include <torch/torch.h>

#include "core/errors.h"
#include "model/model_io.h"
#include "model/sequence_model.h"

namespace musegen::train {

namespace {

// Corpus id -> extended id: the model's id of the token, or a new one for a token the
// training part uses; <unk> for the rest.
std::vector<std::int32_t> merge_ids(const data::Corpus& corpus, tokenize::Vocabulary& extended,
                                    VocabularyExtension& extension) {
  std::vector<bool> used(corpus.vocabulary.size(), false);
  for (const auto& file : corpus.train)
    for (std::int32_t id : file.ids) used[static_cast<std::size_t>(id)] = true;
  std::vector<std::int32_t> map(corpus.vocabulary.size(), tokenize::kUnknownId);
  for (std::size_t id = 0; id < map.size(); ++id) {
    const std::string& token = corpus.vocabulary.token(static_cast<std::int32_t>(id));
    if (extended.contains(token)) {
      map[id] = extended.id(token);
    } else if (used[id]) {
      map[id] = extended.add(token);
      extension.added.push_back(token);
    }
  }
  return map;
}

}  // namespace

VocabularyExtension extend_vocabulary(data::Corpus& corpus, const model::Checkpoint& from) {
  tokenize::Vocabulary extended = tokenize::Vocabulary::from_json(from.vocabulary);
  VocabularyExtension extension;
  extension.model_tokens = extended.size();
  const std::vector<std::int32_t> map = merge_ids(corpus, extended, extension);
  if (!extension.added.empty() && from.preset.model.input == "scalar")
    throw ConfigError("from",
                      "the corpus has " + std::to_string(extension.added.size()) +
                          " token(s) the model lacks (first \"" + extension.added.front() +
                          "\"), and a model with the tutorial's scalar input reads ids scaled by "
                          "its vocabulary size, so none can be added",
                      "a corpus within the model's vocabulary, or a model with input=embedding");
  for (auto& file : corpus.train)
    for (auto& id : file.ids) id = map[static_cast<std::size_t>(id)];
  for (auto& file : corpus.valid)
    for (auto& id : file.ids) {
      const std::int32_t merged = map[static_cast<std::size_t>(id)];
      if (merged == tokenize::kUnknownId && id != tokenize::kUnknownId) ++extension.unknown_valid;
      id = merged;
    }
  corpus.stats.unknown_tokens += extension.unknown_valid;
  corpus.vocabulary = std::move(extended);
  return extension;
}

void load_start_weights(model::SequenceModelImpl& model, const model::Checkpoint& from,
                        const std::string& name) {
  const model::SequenceModel source = model::model_from_checkpoint(from, name);
  const auto old_params = source->named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters()) {
    torch::Tensor target = item.value();
    if (!old_params.contains(item.key()))
      throw ParseError(name, 0, "the model has no parameter " + item.key());
    const torch::Tensor old = old_params[item.key()];
    const bool grows = (item.key() == "embedding.weight" || item.key().rfind("output.", 0) == 0) &&
                       old.dim() == target.dim() && old.size(0) <= target.size(0) &&
                       old.sizes().slice(1) == target.sizes().slice(1);
    if (old.sizes() != target.sizes() && !grows)
      throw ParseError(name, 0, "weights do not fit: " + item.key());
    const std::int64_t n_old = old.size(0), n_new = target.size(0) - n_old;
    target.narrow(0, 0, n_old).copy_(old);
    if (n_new == 0) continue;
    const torch::Tensor fill = item.key() == "output.bias" ? old.min() : old.mean(0);
    target.narrow(0, n_old, n_new).copy_(fill.expand_as(target.narrow(0, n_old, n_new)));
  }
}

}  // namespace musegen::train
