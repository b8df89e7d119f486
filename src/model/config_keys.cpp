// The one table of configuration keys (type, allowed range, help) that drives `--set key=value`
// overrides, validation of a whole preset, and the key list shown by --help.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>

#include "core/errors.h"
#include "model/config.h"

namespace musegen::model {

namespace {

using nlohmann::json;

struct Key {
  std::string name;
  std::string type;     // "int", "number", "choice", "int list", "json", "text"
  std::string allowed;  // human form of the allowed values, as shown in errors and --help
  std::string help;
  std::function<void(Preset&, const std::string&)> set;  // parses, checks and assigns
  std::function<json(const Preset&)> get;
  std::function<void(const Preset&)> check;  // throws ConfigError when out of range
};

ModelConfig& part(Preset& p, ModelConfig*) {
  return p.model;
}
TrainConfig& part(Preset& p, TrainConfig*) {
  return p.train;
}
const ModelConfig& part(const Preset& p, ModelConfig*) {
  return p.model;
}
const TrainConfig& part(const Preset& p, TrainConfig*) {
  return p.train;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

template <class T>
T parse_integer(const std::string& key, const std::string& text, const std::string& allowed) {
  std::string t = trim(text);
  T value{};
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size())
    throw ConfigError(key, "'" + text + "' is not an integer", allowed);
  return value;
}

double parse_number(const std::string& key, const std::string& text, const std::string& allowed) {
  std::string t = trim(text);
  char* end = nullptr;
  double value = t.empty() ? 0.0 : std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(value))
    throw ConfigError(key, "'" + text + "' is not a finite number", allowed);
  return value;
}

// An integer field in [lo, hi].
template <class C, class T>
Key int_key(std::string name, T C::*field, T lo, T hi, std::string help) {
  std::string allowed = std::to_string(lo) + ".." + std::to_string(hi);
  auto check_value = [name, lo, hi, allowed](T v) {
    if (v < lo || v > hi)
      throw ConfigError(name, "value " + std::to_string(v) + " out of range", allowed);
  };
  Key k{name, "int", allowed, std::move(help), nullptr, nullptr, nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    T v = parse_integer<T>(name, text, allowed);
    check_value(v);
    part(p, static_cast<C*>(nullptr)).*field = v;
  };
  k.get = [=](const Preset& p) { return json(part(p, static_cast<C*>(nullptr)).*field); };
  k.check = [=](const Preset& p) { check_value(part(p, static_cast<C*>(nullptr)).*field); };
  return k;
}

// A real field in [lo, hi], or [lo, hi) with `hi_open`, or (lo, hi] with `lo_open`.
template <class C>
Key real_key(std::string name, double C::*field, double lo, double hi, bool lo_open, bool hi_open,
             std::string help) {
  std::string allowed = std::string(lo_open ? "(" : "[") + number_text(lo) + ", " +
                        number_text(hi) + (hi_open ? ")" : "]");
  auto check_value = [=](double v) {
    bool ok = std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!ok) throw ConfigError(name, "value " + number_text(v) + " out of range", allowed);
  };
  Key k{name, "number", allowed, std::move(help), nullptr, nullptr, nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    double v = parse_number(name, text, allowed);
    check_value(v);
    part(p, static_cast<C*>(nullptr)).*field = v;
  };
  k.get = [=](const Preset& p) { return json(part(p, static_cast<C*>(nullptr)).*field); };
  k.check = [=](const Preset& p) { check_value(part(p, static_cast<C*>(nullptr)).*field); };
  return k;
}

// A string field taking one of `choices`.
template <class C>
Key choice_key(std::string name, std::string C::*field, std::vector<std::string> choices,
               std::string help) {
  std::string allowed;
  for (const auto& c : choices) allowed += (allowed.empty() ? "" : ", ") + c;
  auto check_value = [=](const std::string& v) {
    if (std::find(choices.begin(), choices.end(), v) == choices.end())
      throw ConfigError(name, "'" + v + "' is not a choice", allowed);
  };
  Key k{name, "choice", allowed, std::move(help), nullptr, nullptr, nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    std::string v = trim(text);
    check_value(v);
    part(p, static_cast<C*>(nullptr)).*field = v;
  };
  k.get = [=](const Preset& p) { return json(part(p, static_cast<C*>(nullptr)).*field); };
  k.check = [=](const Preset& p) { check_value(part(p, static_cast<C*>(nullptr)).*field); };
  return k;
}

// dense_sizes: "256,128", "[256, 128]", or "" / "[]" / "none" for no hidden dense layer.
Key dense_sizes_key() {
  const std::string name = "dense_sizes";
  const std::string allowed = "0..8 sizes of 1..16384, e.g. 256,128 or none";
  auto check_value = [=](const std::vector<int>& sizes) {
    if (sizes.size() > 8) throw ConfigError(name, "too many dense layers", allowed);
    for (int s : sizes)
      if (s < 1 || s > 16384)
        throw ConfigError(name, "size " + std::to_string(s) + " out of range", allowed);
  };
  Key k{name,    "int list", allowed, "hidden dense layers of the head, before the output layer",
        nullptr, nullptr,    nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    std::string t = trim(text);
    if (!t.empty() && t.front() == '[' && t.back() == ']') t = trim(t.substr(1, t.size() - 2));
    std::vector<int> sizes;
    if (!t.empty() && t != "none") {
      std::stringstream in(t);
      std::string item;
      while (std::getline(in, item, ',')) sizes.push_back(parse_integer<int>(name, item, allowed));
    }
    check_value(sizes);
    p.model.dense_sizes = sizes;
  };
  k.get = [](const Preset& p) { return json(p.model.dense_sizes); };
  k.check = [=](const Preset& p) { check_value(p.model.dense_sizes); };
  return k;
}

// tokenizer_options: a JSON object passed to the tokenizer factory, which checks its keys.
Key tokenizer_options_key() {
  const std::string name = "tokenizer_options";
  const std::string allowed = "a JSON object, e.g. {\"steps_per_quarter\":12}";
  Key k{
      name,    "json",
      allowed, "options of the tokenizer (tokenizer.KEY=VALUE sets one); checked by the tokenizer",
      nullptr, nullptr,
      nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!v.is_object()) throw ConfigError(name, "'" + text + "' is not a JSON object", allowed);
    p.train.tokenizer_options = v;
  };
  k.get = [](const Preset& p) { return p.train.tokenizer_options; };
  k.check = [=](const Preset& p) {
    if (!p.train.tokenizer_options.is_object()) throw ConfigError(name, "not an object", allowed);
  };
  return k;
}

Key tokenizer_key() {
  Key k = choice_key<TrainConfig>(
      "tokenizer", &TrainConfig::tokenizer,
      {"tutorial", "notes", "performance", "frames", "multitrack", "pianoroll"},
      "how MIDI becomes tokens (see docs/tokenizers.md); a new "
      "tokenizer clears tokenizer_options");
  auto set_name = k.set;
  k.set = [set_name](Preset& p, const std::string& text) {
    std::string before = p.train.tokenizer;
    set_name(p, text);
    if (p.train.tokenizer != before) p.train.tokenizer_options = json::object();
  };
  return k;
}

Key seed_key() {
  const std::string allowed = "0..18446744073709551615";
  Key k{"seed",  "int",   allowed, "seed of every random choice (split, shuffling, dropout, init)",
        nullptr, nullptr, nullptr};
  k.set = [=](Preset& p, const std::string& text) {
    p.train.seed = parse_integer<std::uint64_t>("seed", text, allowed);
  };
  k.get = [](const Preset& p) { return json(p.train.seed); };
  k.check = [](const Preset&) {};
  return k;
}

std::vector<Key> model_keys() {
  using M = ModelConfig;
  return {
      int_key<M>("vocab_size", &M::vocab_size, 0, 10000000,
                 "output classes incl. 4 special ids; 0 = from the corpus vocabulary"),
      choice_key<M>("input", &M::input, {"embedding", "scalar"},
                    "embedding, or the tutorial's id / n_vocab as one number per step"),
      int_key<M>("embedding_dim", &M::embedding_dim, 1, 16384, "embedding width (input=embedding)"),
      int_key<M>("scalar_first_id", &M::scalar_first_id, 0, 1024,
                 "input=scalar: x = (id - scalar_first_id) / (vocab_size - scalar_first_id)"),
      choice_key<M>("cell", &M::cell, {"lstm", "gru", "rnn"}, "recurrent cell"),
      int_key<M>("hidden_size", &M::hidden_size, 1, 16384, "units per recurrent layer"),
      int_key<M>("num_layers", &M::num_layers, 1, 16, "recurrent layers"),
      real_key<M>("dropout", &M::dropout, 0.0, 1.0, false, true,
                  "dropout between recurrent layers"),
      dense_sizes_key(),
      choice_key<M>("dense_activation", &M::dense_activation, {"linear", "relu", "tanh"},
                    "activation of the hidden dense layers"),
      real_key<M>("dense_dropout", &M::dense_dropout, 0.0, 1.0, false, true,
                  "dropout after each hidden dense layer"),
      choice_key<M>("init", &M::init, {"torch", "keras"},
                    "initial weights: LibTorch's, or Keras's (Glorot, orthogonal, forget bias 1)"),
      choice_key<M>("arch", &M::arch, {"rnn", "transformer", "gan"},
                    "rnn: the recurrent network (cell); transformer: decoder-only Transformer; "
                    "gan: the piano-roll GAN (--preset gan)"),
      int_key<M>("num_heads", &M::num_heads, 1, 256,
                 "transformer: attention heads; hidden_size / num_heads must be even"),
      int_key<M>("ff_size", &M::ff_size, 1, 65536, "transformer: feed-forward width"),
      int_key<M>("attention_window", &M::attention_window, 0, 1000000,
                 "transformer: tokens each token attends to; 0: sequence_length"),
      int_key<M>("gan_tracks", &M::gan_tracks, 1, 15, "gan: parts of the piano roll"),
      int_key<M>("gan_bars", &M::gan_bars, 1, 16, "gan: bars (of 4 quarter notes) per phrase"),
      int_key<M>("gan_steps_per_bar", &M::gan_steps_per_bar, 4, 96,
                 "gan: roll steps per bar, a multiple of 4"),
      int_key<M>("gan_pitch_low", &M::gan_pitch_low, 0, 127, "gan: lowest pitch of the roll"),
      int_key<M>("gan_pitch_high", &M::gan_pitch_high, 0, 127, "gan: highest pitch of the roll"),
      int_key<M>("noise_dim", &M::noise_dim, 1, 4096, "gan: numbers of noise per phrase"),
  };
}

std::vector<Key> train_keys() {
  using T = TrainConfig;
  return {
      tokenizer_key(),
      tokenizer_options_key(),
      choice_key<T>("objective", &T::objective, {"windows", "chunks", "bars"},
                    "windows: one target per window (tutorial); chunks: a target at every step; "
                    "bars (multitrack): whole bars, each example opening with its piece's header"),
      real_key<T>("fill_fraction", &T::fill_fraction, 0.0, 1.0, false, false,
                  "objective bars: fill examples (a gap of bars written knowing the bars after "
                  "it) per ordinary example; > 0 makes a model that can --fill"),
      int_key<T>("sequence_length", &T::sequence_length, 1, 100000,
                 "window or chunk length, tokens"),
      int_key<T>("window_stride", &T::window_stride, 1, 100000, "tokens between windows (windows)"),
      int_key<T>("batch_size", &T::batch_size, 1, 65536, "sequences per optimiser step"),
      choice_key<T>("optimizer", &T::optimizer, {"adam", "adamw", "rmsprop", "sgd"}, "optimiser"),
      real_key<T>("learning_rate", &T::learning_rate, 0.0, 10.0, true, false, "learning rate"),
      real_key<T>("weight_decay", &T::weight_decay, 0.0, 1.0, false, false, "weight decay"),
      real_key<T>("momentum", &T::momentum, 0.0, 1.0, false, true, "momentum (sgd, rmsprop)"),
      choice_key<T>("schedule", &T::schedule, {"none", "plateau"},
                    "learning-rate schedule: none, or cut on a validation plateau"),
      int_key<T>("warmup_steps", &T::warmup_steps, 0, 100000000, "linear warm-up steps"),
      real_key<T>("plateau_factor", &T::plateau_factor, 0.0, 1.0, true, true,
                  "factor applied to the rate on a plateau"),
      int_key<T>("plateau_patience", &T::plateau_patience, 0, 10000,
                 "epochs without improvement before the rate is cut"),
      real_key<T>("clip_grad_norm", &T::clip_grad_norm, 0.0, 1e6, false, false,
                  "gradient norm clipping; 0 disables"),
      int_key<T>("epochs", &T::epochs, 1, 1000000, "training epochs"),
      int_key<T>("early_stop_patience", &T::early_stop_patience, 0, 10000,
                 "epochs without improvement before stopping; 0 disables"),
      real_key<T>("max_minutes", &T::max_minutes, 0.0, 1e7, false, false,
                  "wall-clock limit in minutes; 0: none"),
      int_key<T>("eval_every_steps", &T::eval_every_steps, 0, 100000000,
                 "validate every N steps as well; 0: once per epoch"),
      choice_key<T>("select_by", &T::select_by, {"valid_loss", "train_loss"},
                    "which loss picks the best checkpoint"),
      real_key<T>("valid_fraction", &T::valid_fraction, 0.0, 1.0, false, true,
                  "share of files held out for validation"),
      int_key<T>("transpose_min", &T::transpose_min, -24, 24, "augmentation: lowest transposition"),
      int_key<T>("transpose_max", &T::transpose_max, -24, 24,
                 "augmentation: highest transposition"),
      seed_key(),
      int_key<T>("threads", &T::threads, 0, 1024, "threads; 0: every core"),
      int_key<T>("critic_steps", &T::critic_steps, 1, 100,
                 "gan: critic updates per generator update"),
      real_key<T>("gradient_penalty", &T::gradient_penalty, 0.0, 1e6, false, false,
                  "gan: weight of the WGAN-GP gradient penalty"),
  };
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table = [] {
    auto all = model_keys();
    for (auto& k : train_keys()) all.push_back(std::move(k));
    return all;
  }();
  return table;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

[[noreturn]] void throw_unknown_key(const std::string& key) {
  std::string close, all;
  for (const auto& k : keys()) {
    all += (all.empty() ? "" : ", ") + k.name;
    bool similar = edit_distance(key, k.name) <= std::max<std::size_t>(2, key.size() / 4) ||
                   (key.size() >= 3 && k.name.find(key) != std::string::npos);
    if (similar) close += (close.empty() ? "" : ", ") + k.name;
  }
  std::string detail = "unknown key";
  if (!close.empty()) detail += " (did you mean " + close + "?)";
  throw ConfigError(key, detail, all);
}

const Key& find_key(const std::string& key) {
  for (const auto& k : keys())
    if (k.name == key) return k;
  throw_unknown_key(key);
}

// tokenizer.KEY=VALUE: one tokenizer option; the value is read as JSON when it parses
// (numbers, true/false, quoted strings), else taken as text.
void set_tokenizer_option(Preset& preset, const std::string& option, const std::string& text) {
  if (option.empty()) throw ConfigError("tokenizer.", "missing option name", "tokenizer.KEY=VALUE");
  json value = json::parse(trim(text), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = trim(text);
  preset.train.tokenizer_options[option] = value;
}

// The Transformer's own constraints: its heads split hidden_size into even widths (rotary
// angles turn pairs), it reads an embedding, and it never attends further back in generation
// than training showed it.
void validate_transformer(const Preset& preset) {
  const ModelConfig& m = preset.model;
  if (m.hidden_size % m.num_heads != 0 || (m.hidden_size / m.num_heads) % 2 != 0)
    throw ConfigError("num_heads",
                      std::to_string(m.num_heads) + " heads do not split hidden_size " +
                          std::to_string(m.hidden_size) + " into even widths",
                      "a divisor of hidden_size leaving an even head width");
  if (m.input != "embedding")
    throw ConfigError("input", "a transformer reads an embedding", "embedding");
  if (m.init != "torch")
    throw ConfigError("init", "a transformer starts from its own (GPT-2) initial weights", "torch");
  if (m.attention_window > preset.train.sequence_length)
    throw ConfigError("attention_window",
                      std::to_string(m.attention_window) + " is longer than the training chunks (" +
                          std::to_string(preset.train.sequence_length) +
                          "): generation would see distances training never showed",
                      "0 (sequence_length) or 1.." + std::to_string(preset.train.sequence_length));
}

}  // namespace

void finalize(Preset& preset) {
  if (preset.model.transformer() && preset.model.attention_window == 0)
    preset.model.attention_window = preset.train.sequence_length;
}

void apply_override(Preset& preset, const std::string& key_equals_value) {
  auto eq = key_equals_value.find('=');
  if (eq == std::string::npos)
    throw ConfigError(trim(key_equals_value), "expected key=value", "key=value, e.g. dropout=0.2");
  std::string key = trim(key_equals_value.substr(0, eq));
  std::string value = key_equals_value.substr(eq + 1);
  for (const char* prefix : {"model.", "train."})
    if (key.rfind(prefix, 0) == 0) key = key.substr(std::string(prefix).size());
  if (key.rfind("tokenizer.", 0) == 0) {
    set_tokenizer_option(preset, key.substr(10), value);
    return;
  }
  find_key(key).set(preset, value);
}

void validate(const Preset& preset) {
  for (const auto& k : keys()) k.check(preset);
  const ModelConfig& m = preset.model;
  const TrainConfig& t = preset.train;
  if (t.transpose_min > t.transpose_max)
    throw ConfigError("transpose_min",
                      "greater than transpose_max (" + std::to_string(t.transpose_max) + ")",
                      "transpose_min <= transpose_max");
  if (t.objective == "bars" && t.tokenizer != "multitrack")
    throw ConfigError("objective", "bars cuts multitrack tokens into bars, not " + t.tokenizer,
                      "tokenizer=multitrack, or objective chunks");
  if (t.fill_fraction > 0 && t.objective != "bars")
    throw ConfigError("fill_fraction", "fill examples are made of bars",
                      "objective=bars (and tokenizer=multitrack)");
  if (m.transformer()) validate_transformer(preset);
  if (m.gan() != (t.tokenizer == "pianoroll"))
    throw ConfigError(m.gan() ? "tokenizer" : "arch",
                      "the GAN and only the GAN reads piano-roll phrases",
                      "arch=gan with tokenizer=pianoroll (--preset gan)");
  if (m.gan() && m.gan_steps_per_bar % 4 != 0)
    throw ConfigError("gan_steps_per_bar", "a bar is 4 quarter notes", "a multiple of 4");
  if (m.gan() && m.gan_pitch_low > m.gan_pitch_high)
    throw ConfigError("gan_pitch_low", "above gan_pitch_high", "gan_pitch_low <= gan_pitch_high");
  if (m.input == "scalar" && m.vocab_size > 0 && m.scalar_first_id >= m.vocab_size)
    throw ConfigError("scalar_first_id",
                      "must be below vocab_size (" + std::to_string(m.vocab_size) + ")",
                      "0.." + std::to_string(m.vocab_size - 1));
}

std::string describe_keys() {
  const Preset defaults = make_preset("default");
  std::ostringstream out;
  for (const auto& k : keys()) {
    std::string name = k.name;
    name.resize(std::max<std::size_t>(name.size(), 20), ' ');
    std::string type = k.type;
    type.resize(std::max<std::size_t>(type.size(), 9), ' ');
    out << name << type << k.allowed << "  (default " << k.get(defaults).dump() << ")  " << k.help
        << "\n";
  }
  out << "tokenizer.KEY       json     one tokenizer option, e.g. tokenizer.velocity_bins=8\n";
  return out.str();
}

}  // namespace musegen::model
