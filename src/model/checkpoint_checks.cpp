// Validation of a model file's contents (checkpoint_checks.h): the JSON description field by
// field, the vocabulary against its tokenizer and the network, the tensors against the network.
#include "model/checkpoint_checks.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/errors.h"
#include "core/json_depth.h"
#include "model/network_shapes.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::model {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& file, std::int64_t offset, const std::string& field,
                       const std::string& detail) {
  throw ParseError(file, offset, field + ": " + detail);
}

// A JSON value in a one-line message: its text, cut short.
std::string excerpt(const json& value) {
  std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

// Reads the JSON description with the field path in every error.
class Fields {
 public:
  Fields(const std::string& file, std::int64_t offset) : file_(file), offset_(offset) {}

  const json& member(const json& object, const char* key, const std::string& path,
                     json::value_t type) const {
    auto it = object.find(key);
    if (it == object.end()) fail(file_, offset_, path, "missing from the model description");
    const bool fits = it->type() == type || (type == json::value_t::number_integer &&
                                             it->type() == json::value_t::number_unsigned);
    if (!fits)
      fail(file_, offset_, path, "expected " + type_name(type) + ", found " + excerpt(*it));
    return *it;
  }
  std::int64_t integer(const json& value, const std::string& path, std::int64_t min) const {
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(file_, offset_, path, excerpt(value) + " is out of range");
    if (!value.is_number_integer()) fail(file_, offset_, path, "expected an integer");
    const auto v = value.get<std::int64_t>();
    if (v < min) fail(file_, offset_, path, std::to_string(v) + " is below " + std::to_string(min));
    return v;
  }
  [[noreturn]] void config_error(const std::string& prefix, const ConfigError& e) const {
    throw ParseError(file_, offset_, prefix + e.what());
  }

 private:
  static std::string type_name(json::value_t type) {
    switch (type) {
      case json::value_t::object:
        return "an object";
      case json::value_t::array:
        return "a list";
      case json::value_t::string:
        return "a string";
      default:
        return "an integer";
    }
  }
  const std::string& file_;
  std::int64_t offset_;
};

void read_preset(Preset& preset, const json& j, const Fields& f) {
  const json& p = f.member(j, "preset", "preset", json::value_t::object);
  preset.name = f.member(p, "name", "preset.name", json::value_t::string).get<std::string>();
  try {
    preset.model =
        ModelConfig::from_json(f.member(p, "model", "preset.model", json::value_t::object));
  } catch (const ConfigError& e) {
    f.config_error("preset.model.", e);
  }
  try {
    preset.train =
        TrainConfig::from_json(f.member(p, "train", "preset.train", json::value_t::object));
  } catch (const ConfigError& e) {
    f.config_error("preset.train.", e);
  }
  try {
    validate(preset);
  } catch (const ConfigError& e) {
    f.config_error("preset.", e);
  }
}

void read_optimizer(Checkpoint& c, const json& j, const Fields& f, const std::string& file,
                    std::int64_t offset) {
  auto it = j.find("optimizer");
  if (it == j.end() || it->is_null()) return;
  if (!it->is_object()) fail(file, offset, "optimizer", "expected an object or null");
  const std::string name =
      f.member(*it, "name", "optimizer.name", json::value_t::string).get<std::string>();
  if (name != c.preset.train.optimizer)
    fail(file, offset, "optimizer.name",
         "state of \"" + name + "\", but preset.train.optimizer is \"" + c.preset.train.optimizer +
             "\"");
  const json& steps = f.member(*it, "steps", "optimizer.steps", json::value_t::array);
  OptimizerState state;
  for (std::size_t i = 0; i < steps.size(); ++i)
    state.steps.push_back(f.integer(steps[i], "optimizer.steps[" + std::to_string(i) + "]", -1));
  c.optimizer = std::move(state);
}

std::string tokenizer_field(const ConfigError& e) {
  const bool own = e.key().rfind("tokenizer", 0) == 0;
  return std::string(own ? "vocabulary." : "vocabulary.tokenizer.") + e.what();
}

// A GAN reads no tokens: its "tokenizer" describes the roll's tracks (data/roll_corpus.h),
// {"name": "pianoroll", "tracks": [{"program": 0..127, "name": text, "monophonic": bool}]},
// one per track of the network.
void check_roll_tracks(const json& tokenizer, int n_tracks, const std::string& file,
                       std::int64_t offset) {
  if (!tokenizer.is_object() || tokenizer.value("name", json()) != "pianoroll")
    fail(file, offset, "vocabulary.tokenizer.name", "a GAN's roll is described as \"pianoroll\"");
  const json tracks = tokenizer.value("tracks", json());
  if (!tracks.is_array() || tracks.size() != static_cast<std::size_t>(n_tracks))
    fail(file, offset, "vocabulary.tokenizer.tracks",
         "expected a list of " + std::to_string(n_tracks) + " tracks (preset.model.gan_tracks)");
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    const json& t = tracks[i];
    const bool fits = t.is_object() && t.contains("program") && t["program"].is_number_integer() &&
                      t["program"].get<std::int64_t>() >= 0 &&
                      t["program"].get<std::int64_t>() <= 127 && t.contains("name") &&
                      t["name"].is_string() && t.contains("monophonic") &&
                      t["monophonic"].is_boolean();
    if (!fits)
      fail(file, offset, "vocabulary.tokenizer.tracks[" + std::to_string(i) + "]",
           "expected {\"program\": 0..127, \"name\": text, \"monophonic\": true or false}");
  }
}

void check_vocabulary(const Checkpoint& c, const std::string& file, std::int64_t offset) {
  if (!c.vocabulary.is_object()) fail(file, offset, "vocabulary", "expected an object");
  std::size_t size = 0;
  try {
    size = tokenize::Vocabulary::from_json(c.vocabulary).size();
  } catch (const ConfigError& e) {
    throw ParseError(file, offset, e.what());
  }
  auto tokenizer = c.vocabulary.find("tokenizer");
  if (tokenizer == c.vocabulary.end())
    fail(file, offset, "vocabulary.tokenizer", "missing: which tokenizer made these tokens");
  if (c.preset.model.gan()) {
    check_roll_tracks(*tokenizer, c.preset.model.gan_tracks, file, offset);
  } else {
    try {
      tokenize::make_tokenizer(*tokenizer);
    } catch (const ConfigError& e) {
      throw ParseError(file, offset, tokenizer_field(e));
    }
  }
  if (size != static_cast<std::size_t>(c.preset.model.vocab_size))
    fail(file, offset, "vocabulary",
         std::to_string(size) + " tokens, but the network's embedding and output have " +
             std::to_string(c.preset.model.vocab_size) + " rows (preset.model.vocab_size)");
}

void check_finite(const Tensor& t, const std::string& field, const std::string& file,
                  std::int64_t offset) {
  for (std::size_t i = 0; i < t.values.size(); ++i)
    if (!std::isfinite(t.values[i]))
      fail(file, offset, field,
           std::string(std::isnan(t.values[i]) ? "NaN" : "an infinite value") + " at index " +
               std::to_string(i) + " (the model diverged or the file is damaged)");
}

void check_weights(const Checkpoint& c, const std::vector<TensorShape>& network,
                   const std::string& file, std::int64_t offset) {
  std::unordered_map<std::string, const Tensor*> by_name;
  for (const Tensor& t : c.weights.tensors) by_name.emplace(t.name, &t);
  for (const TensorShape& expected : network) {
    auto it = by_name.find(expected.name);
    const std::string field = "weights." + expected.name;
    if (it == by_name.end())
      fail(file, offset, field, "missing; the network of preset.model has it");
    if (it->second->shape != expected.shape)
      fail(file, offset, field,
           "shape " + shape_text(it->second->shape) + ", but the network of preset.model needs " +
               shape_text(expected.shape));
    check_finite(*it->second, field, file, offset);
    by_name.erase(it);
  }
  if (!by_name.empty())
    fail(file, offset, "weights." + by_name.begin()->first,
         "not a tensor of the network of preset.model");
}

// The slots each optimiser keeps per parameter, and which of them every parameter with state
// has (train/optimizer.cpp builds them without amsgrad and uncentred).
struct Slots {
  std::vector<std::string> allowed, required;
  bool counts_steps = true;
};

Slots optimizer_slots(const TrainConfig& t) {
  if (t.optimizer == "sgd") return {{"momentum_buffer"}, {}, false};
  if (t.optimizer == "rmsprop") {
    if (t.momentum > 0)
      return {{"square_avg", "momentum_buffer"}, {"square_avg", "momentum_buffer"}};
    return {{"square_avg"}, {"square_avg"}};
  }
  return {{"exp_avg", "exp_avg_sq"}, {"exp_avg", "exp_avg_sq"}};  // adam, adamw
}

// "param.I.SLOT" -> (I, SLOT); I = -1 when the name has another form.
std::pair<long long, std::string> parse_slot_name(const std::string& name) {
  if (name.rfind("param.", 0) != 0) return {-1, ""};
  const std::size_t dot = name.find('.', 6);
  if (dot == std::string::npos || dot == 6 || dot - 6 > 6) return {-1, ""};
  long long index = 0;
  for (std::size_t i = 6; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return {-1, ""};
    index = index * 10 + (name[i] - '0');
  }
  return {index, name.substr(dot + 1)};
}

void check_optimizer_tensor(const Tensor& t, const std::vector<TensorShape>& network,
                            const Slots& slots, const std::string& file, std::int64_t offset,
                            std::vector<std::vector<std::string>>& found) {
  const std::string field = "optimizer." + t.name;
  const auto [index, slot] = parse_slot_name(t.name);
  if (index < 0 || index >= static_cast<long long>(network.size()))
    fail(file, offset, field,
         "not \"param.I.SLOT\" with I below the network's " + std::to_string(network.size()) +
             " parameters");
  if (std::find(slots.allowed.begin(), slots.allowed.end(), slot) == slots.allowed.end())
    fail(file, offset, field, "\"" + slot + "\" is not a slot of this optimiser");
  const auto i = static_cast<std::size_t>(index);
  if (t.shape != network[i].shape)
    fail(file, offset, field,
         "shape " + shape_text(t.shape) + ", but parameter " + std::to_string(i) + " (" +
             network[i].name + ") has " + shape_text(network[i].shape));
  check_finite(t, field, file, offset);
  found[i].push_back(slot);
}

void check_optimizer(const Checkpoint& c, const std::vector<TensorShape>& network,
                     const std::string& file, const CheckpointSections& where) {
  if (!c.optimizer) return;
  const OptimizerState& o = *c.optimizer;
  const Slots slots = optimizer_slots(c.preset.train);
  const std::size_t expected_steps = slots.counts_steps ? network.size() : 0;
  if (o.steps.size() != expected_steps)
    fail(file, where.json_offset, "optimizer.steps",
         std::to_string(o.steps.size()) + " entries, but " + c.preset.train.optimizer +
             " over this network needs " + std::to_string(expected_steps));
  std::vector<std::vector<std::string>> found(network.size());
  for (const Tensor& t : o.tensors.tensors)
    check_optimizer_tensor(t, network, slots, file, where.optimizer_offset, found);
  if (!slots.counts_steps) return;
  for (std::size_t i = 0; i < network.size(); ++i) {
    const bool has_state = o.steps[i] >= 0;
    const std::size_t needed = has_state ? slots.required.size() : 0;
    if (found[i].size() != needed)
      fail(file, where.optimizer_offset, "optimizer.param." + std::to_string(i),
           std::to_string(found[i].size()) + " state tensors, but step count " +
               std::to_string(o.steps[i]) + " needs " + std::to_string(needed));
  }
}

}  // namespace

nlohmann::json parse_checkpoint_json(std::string_view text, const std::string& file,
                                     std::int64_t offset, const char* format_name) {
  if (json_nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth)
    throw ParseError(file, offset,
                     "the model description (JSON) nests deeper than " +
                         std::to_string(kMaxJsonDepth) + " levels");
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw ParseError(file, offset, "the model description (JSON) is unreadable");
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() || format->get<std::string>() != format_name)
    throw ParseError(file, offset,
                     std::string("format: the model description is not \"") + format_name + "\"");
  return j;
}

void read_checkpoint_json(Checkpoint& c, const nlohmann::json& j, const std::string& file,
                          std::int64_t offset) {
  const Fields f(file, offset);
  read_preset(c.preset, j, f);
  c.vocabulary = f.member(j, "vocabulary", "vocabulary", json::value_t::object);
  c.epoch = f.integer(f.member(j, "epoch", "epoch", json::value_t::number_integer), "epoch", 0);
  c.step = f.integer(f.member(j, "step", "step", json::value_t::number_integer), "step", 0);
  c.metrics = f.member(j, "metrics", "metrics", json::value_t::array);
  c.trainer_state = f.member(j, "trainer_state", "trainer_state", json::value_t::object);
  read_optimizer(c, j, f, file, offset);
}

void validate_checkpoint(const Checkpoint& c, const std::string& file,
                         const CheckpointSections& where) {
  check_vocabulary(c, file, where.json_offset);
  const std::vector<TensorShape> network = network_parameters(c.preset.model);
  check_weights(c, network, file, where.weights_offset);
  check_optimizer(c, network, file, where);
}

}  // namespace musegen::model
