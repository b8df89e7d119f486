// What `musegen train` needs before the loop: the preset of a new run (a named preset plus
// overrides), of a resumed run (the checkpoint's, refusing overrides that would change the
// model or the data order) and of a fine-tuning run (a model's, keeping its shape and tokens),
// and the corpus options that match a preset. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "model/checkpoint.h"
#include "model/config.h"

namespace musegen::train {

struct RunOverrides {
  std::vector<std::string> sets;  // "key=value", applied in order
  std::optional<int> epochs;
  std::optional<double> max_minutes;
  std::optional<std::uint64_t> seed;
  std::optional<int> threads;
};

// Applies the overrides in order (sets, then the options), then finalize() and validate().
// Throws ConfigError naming the key.
void apply_overrides(model::Preset& preset, const RunOverrides& overrides);

// Training keys a resumed run may change; every other key must keep the checkpoint's value.
const std::vector<std::string>& resumable_keys();

// make_preset(name), then the overrides, then validate(). Throws ConfigError naming the key.
model::Preset preset_for_new_run(const std::string& name, const RunOverrides& overrides);

// The checkpoint's preset with the overrides applied. Throws ConfigError naming the first key
// whose value would change and is not in resumable_keys().
model::Preset preset_for_resume(const model::Checkpoint& checkpoint, const RunOverrides& overrides);

// A fine-tuned run's learning rate unless --set learning_rate says otherwise: this fraction of
// the rate the model was trained with.
inline constexpr double kFineTuneRateFactor = 0.1;

// The preset of a run fine-tuning `from` (train/fine_tune.h): its own, the learning rate times
// kFineTuneRateFactor, then the overrides. Model keys other than dropout and dense_dropout, and
// the tokenizer and its options, must keep the model's values: ConfigError names the first
// that would change (or an invalid value).
model::Preset preset_for_fine_tune(const model::Checkpoint& from, const RunOverrides& overrides);

// The tokenizer config of a preset: tokenizer_options with "name" = tokenizer.
nlohmann::json tokenizer_config(const model::TrainConfig& config);

// Corpus options for `preset`; with `resume`, its tokenizer and fixed vocabulary. Throws
// ConfigError when the checkpoint's vocabulary is malformed.
data::CorpusOptions corpus_options(const model::Preset& preset, const model::Checkpoint* resume,
                                   const std::optional<std::filesystem::path>& valid_dir,
                                   const std::optional<std::filesystem::path>& cache_path);

}  // namespace musegen::train
