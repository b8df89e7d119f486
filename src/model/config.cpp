// The named presets ("tutorial", "default", "small") and the JSON form of the model and
// training configuration. Overrides and validation live in config_keys.cpp.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/errors.h"
#include "model/config.h"

namespace musegen::model {

namespace {

using nlohmann::json;

// An integer JSON value as T, or ConfigError when it does not fit (get<T> would wrap it).
template <class T>
T checked_integer(const json& value, const std::string& key) {
  bool fits = false;
  if (value.is_number_unsigned()) {
    fits = value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  } else {
    const auto v = value.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<T>)
      fits = v >= 0;
    else
      fits = v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
  }
  if (!fits) throw ConfigError(key, value.dump() + " is out of range");
  return value.get<T>();
}

// Reads a required field, naming it in the error when it is missing or of the wrong type.
template <class T>
void read_field(const json& object, const std::string& key, T& out) {
  if (!object.is_object()) throw ConfigError("config", "expected a JSON object");
  auto it = object.find(key);
  if (it == object.end()) throw ConfigError(key, "missing from the configuration");
  try {
    if constexpr (std::is_same_v<T, json>) {
      out = *it;
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) throw ConfigError(key, "expected a string");
      out = it->template get<std::string>();
    } else if constexpr (std::is_same_v<T, std::vector<int>>) {
      if (!it->is_array()) throw ConfigError(key, "expected a list of integers");
      out.clear();
      for (const auto& v : *it) {
        if (!v.is_number_integer()) throw ConfigError(key, "expected a list of integers");
        out.push_back(checked_integer<int>(v, key));
      }
    } else if constexpr (std::is_integral_v<T>) {
      if (!it->is_number_integer() && !it->is_number_unsigned())
        throw ConfigError(key, "expected an integer");
      out = checked_integer<T>(*it, key);
    } else {
      if (!it->is_number()) throw ConfigError(key, "expected a number");
      out = it->template get<T>();
    }
  } catch (const json::exception& e) {
    throw ConfigError(key, std::string("unreadable value: ") + e.what());
  }
}

}  // namespace

json ModelConfig::to_json() const {
  return {{"vocab_size", vocab_size},
          {"arch", arch},
          {"input", input},
          {"embedding_dim", embedding_dim},
          {"scalar_first_id", scalar_first_id},
          {"cell", cell},
          {"hidden_size", hidden_size},
          {"num_layers", num_layers},
          {"dropout", dropout},
          {"dense_sizes", dense_sizes},
          {"dense_activation", dense_activation},
          {"dense_dropout", dense_dropout},
          {"init", init},
          {"num_heads", num_heads},
          {"ff_size", ff_size},
          {"attention_window", attention_window},
          {"gan_tracks", gan_tracks},
          {"gan_bars", gan_bars},
          {"gan_steps_per_bar", gan_steps_per_bar},
          {"gan_pitch_low", gan_pitch_low},
          {"gan_pitch_high", gan_pitch_high},
          {"noise_dim", noise_dim}};
}

ModelConfig ModelConfig::from_json(const json& j) {
  ModelConfig c;
  read_field(j, "vocab_size", c.vocab_size);
  read_field(j, "input", c.input);
  read_field(j, "embedding_dim", c.embedding_dim);
  read_field(j, "scalar_first_id", c.scalar_first_id);
  read_field(j, "cell", c.cell);
  read_field(j, "hidden_size", c.hidden_size);
  read_field(j, "num_layers", c.num_layers);
  read_field(j, "dropout", c.dropout);
  read_field(j, "dense_sizes", c.dense_sizes);
  read_field(j, "dense_activation", c.dense_activation);
  read_field(j, "dense_dropout", c.dense_dropout);
  read_field(j, "init", c.init);
  if (j.contains("arch")) {  // since the transformer; older files hold recurrent networks
    read_field(j, "arch", c.arch);
    read_field(j, "num_heads", c.num_heads);
    read_field(j, "ff_size", c.ff_size);
    read_field(j, "attention_window", c.attention_window);
    read_field(j, "gan_tracks", c.gan_tracks);
    read_field(j, "gan_bars", c.gan_bars);
    read_field(j, "gan_steps_per_bar", c.gan_steps_per_bar);
    read_field(j, "gan_pitch_low", c.gan_pitch_low);
    read_field(j, "gan_pitch_high", c.gan_pitch_high);
    read_field(j, "noise_dim", c.noise_dim);
  }
  return c;
}

json TrainConfig::to_json() const {
  return {{"tokenizer", tokenizer},
          {"tokenizer_options", tokenizer_options},
          {"objective", objective},
          {"sequence_length", sequence_length},
          {"window_stride", window_stride},
          {"fill_fraction", fill_fraction},
          {"batch_size", batch_size},
          {"optimizer", optimizer},
          {"learning_rate", learning_rate},
          {"weight_decay", weight_decay},
          {"momentum", momentum},
          {"schedule", schedule},
          {"warmup_steps", warmup_steps},
          {"plateau_factor", plateau_factor},
          {"plateau_patience", plateau_patience},
          {"clip_grad_norm", clip_grad_norm},
          {"epochs", epochs},
          {"early_stop_patience", early_stop_patience},
          {"max_minutes", max_minutes},
          {"eval_every_steps", eval_every_steps},
          {"select_by", select_by},
          {"valid_fraction", valid_fraction},
          {"transpose_min", transpose_min},
          {"transpose_max", transpose_max},
          {"seed", seed},
          {"threads", threads},
          {"critic_steps", critic_steps},
          {"gradient_penalty", gradient_penalty}};
}

TrainConfig TrainConfig::from_json(const json& j) {
  TrainConfig c;
  read_field(j, "tokenizer", c.tokenizer);
  read_field(j, "tokenizer_options", c.tokenizer_options);
  if (!c.tokenizer_options.is_object())
    throw ConfigError("tokenizer_options", "expected a JSON object");
  read_field(j, "objective", c.objective);
  read_field(j, "sequence_length", c.sequence_length);
  read_field(j, "window_stride", c.window_stride);
  if (j.contains("fill_fraction")) read_field(j, "fill_fraction", c.fill_fraction);  // since 0.2
  read_field(j, "batch_size", c.batch_size);
  read_field(j, "optimizer", c.optimizer);
  read_field(j, "learning_rate", c.learning_rate);
  read_field(j, "weight_decay", c.weight_decay);
  read_field(j, "momentum", c.momentum);
  read_field(j, "schedule", c.schedule);
  read_field(j, "warmup_steps", c.warmup_steps);
  read_field(j, "plateau_factor", c.plateau_factor);
  read_field(j, "plateau_patience", c.plateau_patience);
  read_field(j, "clip_grad_norm", c.clip_grad_norm);
  read_field(j, "epochs", c.epochs);
  read_field(j, "early_stop_patience", c.early_stop_patience);
  read_field(j, "max_minutes", c.max_minutes);
  read_field(j, "eval_every_steps", c.eval_every_steps);
  read_field(j, "select_by", c.select_by);
  read_field(j, "valid_fraction", c.valid_fraction);
  read_field(j, "transpose_min", c.transpose_min);
  read_field(j, "transpose_max", c.transpose_max);
  read_field(j, "seed", c.seed);
  read_field(j, "threads", c.threads);
  if (j.contains("critic_steps")) {  // since the GAN
    read_field(j, "critic_steps", c.critic_steps);
    read_field(j, "gradient_penalty", c.gradient_penalty);
  }
  return c;
}

namespace {

// The tutorial's network and training, exactly (see docs/model.md for each choice).
Preset tutorial_preset() {
  Preset p;
  p.name = "tutorial";
  ModelConfig& m = p.model;
  m.input = "scalar";  // id / n_vocab as one number per step
  m.cell = "lstm";
  m.hidden_size = 512;
  m.num_layers = 3;
  m.dropout = 0.3;
  m.dense_sizes = {256};
  m.dense_activation = "linear";  // Keras Dense(256) has no activation
  m.dense_dropout = 0.3;
  m.init = "keras";
  TrainConfig& t = p.train;
  t.tokenizer = "tutorial";
  t.objective = "windows";
  t.sequence_length = 100;
  t.window_stride = 1;
  t.batch_size = 128;
  t.optimizer = "adam";  // Keras Adam defaults: lr 1e-3, no clipping
  t.learning_rate = 1e-3;
  t.momentum = 0.0;  // Keras RMSprop's default, for --set optimizer=rmsprop
  t.schedule = "none";
  t.clip_grad_norm = 0.0;
  t.epochs = 200;
  t.early_stop_patience = 0;
  t.select_by = "train_loss";  // ModelCheckpoint(monitor='loss', save_best_only=True)
  t.valid_fraction = 0.0;      // the tutorial trains on every file
  return p;
}

// What we recommend: chosen by validation loss on the corpora (docs/model.md, "Choosing").
Preset default_preset() {
  Preset p;
  p.name = "default";
  ModelConfig& m = p.model;
  m.input = "embedding";
  m.embedding_dim = 256;
  m.cell = "lstm";
  m.hidden_size = 512;
  m.num_layers = 3;
  m.dropout = 0.3;
  m.dense_sizes = {256};
  m.dense_activation = "linear";
  m.dense_dropout = 0.3;
  m.init = "torch";
  TrainConfig& t = p.train;
  t.tokenizer = "notes";
  t.objective = "chunks";
  t.sequence_length = 100;
  t.batch_size = 64;
  t.optimizer = "adam";
  t.learning_rate = 1e-3;
  t.schedule = "plateau";
  t.clip_grad_norm = 1.0;
  t.epochs = 30;
  t.early_stop_patience = 5;
  t.select_by = "valid_loss";
  t.valid_fraction = 0.1;
  return p;
}

// Learns a tiny corpus in minutes on two cores.
Preset small_preset() {
  Preset p = default_preset();
  p.name = "small";
  ModelConfig& m = p.model;
  m.embedding_dim = 64;
  m.hidden_size = 256;
  m.num_layers = 2;
  m.dropout = 0.2;
  m.dense_sizes = {};
  m.dense_dropout = 0.0;
  TrainConfig& t = p.train;
  t.sequence_length = 64;
  t.batch_size = 32;
  t.learning_rate = 2e-3;
  t.epochs = 20;
  t.early_stop_patience = 4;
  return p;
}

// A decoder-only Transformer of the `default` size class (7 million weights at a vocabulary
// of 300, against default's 6 million), trained on chunks of 256 with AdamW and a warm-up.
Preset transformer_preset() {
  Preset p = default_preset();
  p.name = "transformer";
  ModelConfig& m = p.model;
  m.arch = "transformer";
  m.hidden_size = 384;
  m.embedding_dim = 384;
  m.num_layers = 4;
  m.num_heads = 6;
  m.ff_size = 1536;
  m.attention_window = 0;  // the sequence length
  m.dropout = 0.1;
  m.dense_sizes = {};
  m.dense_dropout = 0.0;
  TrainConfig& t = p.train;
  t.sequence_length = 256;
  t.batch_size = 32;
  t.optimizer = "adamw";
  t.learning_rate = 5e-4;
  t.weight_decay = 0.01;
  t.warmup_steps = 200;
  return p;
}

// A Transformer that learns a small corpus in minutes, the counterpart of `small`.
Preset transformer_small_preset() {
  Preset p = transformer_preset();
  p.name = "transformer-small";
  ModelConfig& m = p.model;
  m.hidden_size = 128;
  m.embedding_dim = 128;
  m.num_layers = 3;
  m.num_heads = 4;
  m.ff_size = 512;
  TrainConfig& t = p.train;
  t.sequence_length = 128;
  t.learning_rate = 1e-3;
  t.warmup_steps = 100;
  t.epochs = 20;
  t.early_stop_patience = 4;
  return p;
}

// The piano-roll GAN (model/gan.h): four tracks, phrases of 4 bars of sixteenths over 84
// pitches, WGAN-GP with 5 critic updates per generator update, Adam 5e-4 (betas 0.5, 0.9): at
// Gulrajani et al.'s 1e-4 the generator had placed no voice in its register after 180 updates.
Preset gan_preset() {
  Preset p = default_preset();
  p.name = "gan";
  ModelConfig& m = p.model;
  m.arch = "gan";
  m.hidden_size = 256;
  m.dense_sizes = {};
  m.dense_dropout = 0.0;
  m.dropout = 0.0;
  TrainConfig& t = p.train;
  t.tokenizer = "pianoroll";
  t.batch_size = 32;
  t.optimizer = "adam";
  t.learning_rate = 5e-4;
  t.schedule = "none";
  t.clip_grad_norm = 0.0;
  t.epochs = 40;
  t.early_stop_patience = 0;  // a GAN's critic estimate is no steady measure to stop on
  t.critic_steps = 5;
  t.gradient_penalty = 10.0;
  return p;
}

}  // namespace

std::vector<std::string> preset_names() {
  return {"tutorial", "default", "small", "transformer", "transformer-small", "gan"};
}

Preset make_preset(const std::string& name) {
  if (name == "tutorial") return tutorial_preset();
  if (name == "default") return default_preset();
  if (name == "small") return small_preset();
  if (name == "transformer") return transformer_preset();
  if (name == "transformer-small") return transformer_small_preset();
  if (name == "gan") return gan_preset();
  std::string names;
  for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
  throw ConfigError("preset", "unknown preset '" + name + "'", names);
}

}  // namespace musegen::model
