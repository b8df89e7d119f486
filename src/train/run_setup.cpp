// Presets for new and resumed runs, and the matching corpus options.
#include "train/run_setup.h"

#include <algorithm>

#include "core/errors.h"

namespace musegen::train {

void apply_overrides(model::Preset& preset, const RunOverrides& overrides) {
  for (const auto& set : overrides.sets) model::apply_override(preset, set);
  if (overrides.epochs) preset.train.epochs = *overrides.epochs;
  if (overrides.max_minutes) preset.train.max_minutes = *overrides.max_minutes;
  if (overrides.seed) preset.train.seed = *overrides.seed;
  if (overrides.threads) preset.train.threads = *overrides.threads;
  model::finalize(preset);
  model::validate(preset);
}

namespace {

// The first key of `before` whose value differs in `after` and is not in `allowed`.
std::optional<std::string> first_change(const nlohmann::json& before, const nlohmann::json& after,
                                        const std::vector<std::string>& allowed) {
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    if (!before.contains(it.key()) || before.at(it.key()) != it.value()) return it.key();
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& resumable_keys() {
  static const std::vector<std::string> keys = {"epochs", "max_minutes", "early_stop_patience",
                                                "eval_every_steps", "threads"};
  return keys;
}

model::Preset preset_for_new_run(const std::string& name, const RunOverrides& overrides) {
  model::Preset preset = model::make_preset(name);
  apply_overrides(preset, overrides);
  return preset;
}

model::Preset preset_for_resume(const model::Checkpoint& checkpoint,
                                const RunOverrides& overrides) {
  model::Preset preset = checkpoint.preset;
  apply_overrides(preset, overrides);
  std::string allowed;
  for (const auto& key : resumable_keys()) allowed += (allowed.empty() ? "" : ", ") + key;
  if (auto key = first_change(checkpoint.preset.model.to_json(), preset.model.to_json(), {}))
    throw ConfigError(*key, "cannot change on --resume: it changes the model's shape", allowed);
  if (auto key =
          first_change(checkpoint.preset.train.to_json(), preset.train.to_json(), resumable_keys()))
    throw ConfigError(*key,
                      "cannot change on --resume: the resumed run must see the same data, "
                      "order and optimisation (start a new run with another --out instead)",
                      allowed);
  return preset;
}

model::Preset preset_for_fine_tune(const model::Checkpoint& from, const RunOverrides& overrides) {
  model::Preset preset = from.preset;
  preset.train.learning_rate *= kFineTuneRateFactor;
  apply_overrides(preset, overrides);
  if (auto key = first_change(from.preset.model.to_json(), preset.model.to_json(),
                              {"dropout", "dense_dropout"}))
    throw ConfigError(*key, "cannot change when fine-tuning: it changes the model's shape",
                      "training keys, dropout and dense_dropout");
  const nlohmann::json before = from.preset.train.to_json(), after = preset.train.to_json();
  for (const char* key : {"tokenizer", "tokenizer_options"})
    if (before.at(key) != after.at(key))
      throw ConfigError(key, "cannot change when fine-tuning: the model reads its own tokens",
                        before.at(key).dump());
  return preset;
}

nlohmann::json tokenizer_config(const model::TrainConfig& config) {
  nlohmann::json tokenizer =
      config.tokenizer_options.is_object() ? config.tokenizer_options : nlohmann::json::object();
  tokenizer["name"] = config.tokenizer;
  return tokenizer;
}

data::CorpusOptions corpus_options(const model::Preset& preset, const model::Checkpoint* resume,
                                   const std::optional<std::filesystem::path>& valid_dir,
                                   const std::optional<std::filesystem::path>& cache_path) {
  const model::TrainConfig& t = preset.train;
  data::CorpusOptions options;
  options.tokenizer = tokenizer_config(t);
  options.valid_fraction = t.valid_fraction;
  options.valid_dir = valid_dir;
  options.seed = t.seed;
  options.transpose_min = t.transpose_min;
  options.transpose_max = t.transpose_max;
  options.cache_path = cache_path;
  options.threads = t.threads;
  if (resume) {
    if (resume->vocabulary.is_object() && resume->vocabulary.contains("tokenizer"))
      options.tokenizer = resume->vocabulary.at("tokenizer");
    options.vocabulary = tokenize::Vocabulary::from_json(resume->vocabulary);
  }
  return options;
}

}  // namespace musegen::train
