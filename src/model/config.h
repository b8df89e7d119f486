// Model and training configuration, named presets ("tutorial", "default", "small") and
// `--set key=value` overrides validated against a table of keys with their allowed ranges.
// Torch-free: the CLI and tests use it without compiling LibTorch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musegen::model {

struct ModelConfig {
  int vocab_size = 0;  // set from the corpus vocabulary, including special ids
  // "rnn": embedding -> recurrent stack (`cell`) -> dense head. "transformer": a decoder-only
  // Transformer: embedding of hidden_size, num_layers pre-norm blocks of causal self-attention
  // (num_heads heads, rotary positions, each token seeing the last attention_window tokens)
  // and a GELU feed-forward of ff_size, a final layer norm, then the output layer. "gan": the
  // piano-roll GAN (model/gan.h), whose roll is described by the gan_* keys.
  std::string arch = "rnn";
  std::string input = "embedding";  // "embedding" | "scalar" (tutorial: id / n_tokens)
  int embedding_dim = 256;          // used by "embedding"
  int scalar_first_id = 4;          // "scalar": ids below are specials; x = (id - first) / n
  std::string cell = "lstm";        // "lstm" | "gru" | "rnn"
  int hidden_size = 512;
  int num_layers = 3;
  double dropout = 0.3;                     // between recurrent layers
  std::vector<int> dense_sizes{256};        // hidden dense layers of the head
  std::string dense_activation = "linear";  // "linear" (tutorial) | "relu" | "tanh"
  double dense_dropout = 0.3;               // after each hidden dense layer
  // Initial weights: "torch" (LibTorch's uniform +-1/sqrt(fan)) or "keras" (the tutorial's:
  // Glorot-uniform input and dense weights, orthogonal recurrent weights, zero biases with a
  // forget-gate bias of 1).
  std::string init = "torch";
  // Transformer only. hidden_size must be a multiple of num_heads with an even quotient (the
  // rotary angles rotate pairs). attention_window 0: the training sequence_length (resolved by
  // finalize()); on its own in a model, 0 means no limit.
  int num_heads = 8;
  int ff_size = 2048;
  int attention_window = 0;
  // GAN only (data/piano_roll.h): phrases of gan_bars bars of 4 quarter notes, each of
  // gan_steps_per_bar steps, gan_tracks parts over pitches gan_pitch_low..gan_pitch_high; the
  // generator reads noise_dim numbers; hidden_size is the widest layer's channels.
  int gan_tracks = 4;
  int gan_bars = 4;
  int gan_steps_per_bar = 16;
  int gan_pitch_low = 24;
  int gan_pitch_high = 107;
  int noise_dim = 128;

  bool transformer() const { return arch == "transformer"; }
  bool gan() const { return arch == "gan"; }
  nlohmann::json to_json() const;
  // Throws ConfigError naming the key for a missing or invalid field. Files written before
  // the transformer existed have no "arch": they are "rnn".
  static ModelConfig from_json(const nlohmann::json& json);
};

struct TrainConfig {
  std::string tokenizer = "notes";  // tokenizer name; options in tokenizer_options
  nlohmann::json tokenizer_options = nlohmann::json::object();
  std::string objective = "chunks";  // "windows": one target per window (tutorial); "chunks":
                                     // a target at every position; "bars" (multitrack): whole
                                     // bars opening with the piece's header
  double fill_fraction = 0;          // "bars": fill examples per window example (0: none)
  int sequence_length = 100;         // window or chunk length in tokens
  int window_stride = 1;             // "windows" only
  int batch_size = 64;
  std::string optimizer = "adam";  // "adam" | "adamw" | "rmsprop" | "sgd"
  double learning_rate = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9;             // sgd and rmsprop
  std::string schedule = "plateau";  // "none" | "plateau"
  int warmup_steps = 0;              // linear warm-up from 0 to learning_rate
  double plateau_factor = 0.5;
  int plateau_patience = 1;     // epochs without improvement before the rate is cut
  double clip_grad_norm = 1.0;  // 0 disables clipping
  int epochs = 30;
  int early_stop_patience = 5;           // epochs without improvement; 0 disables
  double max_minutes = 0;                // 0: no time limit
  int eval_every_steps = 0;              // 0: validate once per epoch only
  std::string select_by = "valid_loss";  // "valid_loss" | "train_loss" (tutorial)
  double valid_fraction = 0.1;
  int transpose_min = 0;  // augmentation range in semitones (training part only)
  int transpose_max = 0;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: every core
  // GAN (WGAN-GP): critic updates per generator update, and the gradient penalty's weight.
  int critic_steps = 5;
  double gradient_penalty = 10.0;

  nlohmann::json to_json() const;
  static TrainConfig from_json(const nlohmann::json& json);
};

struct Preset {
  std::string name;
  ModelConfig model;
  TrainConfig train;
};

// Throws ConfigError (key "preset") listing the allowed names.
Preset make_preset(const std::string& name);
std::vector<std::string> preset_names();

// Applies one "key=value" override. Keys are the field names above (model and training share
// one namespace; "model.KEY"/"train.KEY" prefixes are accepted). Throws ConfigError naming
// the key and the allowed values or range.
void apply_override(Preset& preset, const std::string& key_equals_value);
// Checks every field against its range; throws ConfigError naming the first bad key.
void validate(const Preset& preset);
// Settles what depends on other keys: a Transformer's attention_window 0 becomes the training
// sequence_length, so a model file states the window its generation uses.
void finalize(Preset& preset);
// One line per key: "key  type  allowed  (default ...)" for --help.
std::string describe_keys();

}  // namespace musegen::model
