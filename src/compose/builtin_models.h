// The models built into the program: model files embedded at build time, so `musegen generate`
// makes music on a machine with no corpus and no network. `--model NAME` picks one by name;
// without --model the first ("chorales") is used.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/checkpoint.h"

namespace musegen::compose {

struct BuiltinModel {
  std::string name;        // what --model takes: "chorales", "satb"
  std::string summary;     // one line: what it writes
  std::string trained_on;  // the corpus and split, and its licence
  std::string quality;     // measured held-out figures
  std::string_view bytes;  // the model file (empty when this build lacks it)
};

// Every built-in model this build knows, the default first; those whose file was not embedded
// have empty bytes.
const std::vector<BuiltinModel>& builtin_models();
// The built-in model called `name` with its bytes, or null.
const BuiltinModel* find_builtin_model(std::string_view name);
// The model generate uses without --model (null when none is embedded).
const BuiltinModel* default_builtin_model();
// "<built-in model chorales>": how reports and errors name a built-in model.
std::string builtin_label(const BuiltinModel& model);

// What --model names: a model file when `spec` is an existing path, else a built-in model's
// name; empty: the default built-in. `label` receives the file or builtin_label(). Throws
// ConfigError (key "model") when `spec` is neither (listing the built-in names), what
// load_checkpoint throws for a bad file, and ConfigError when no model is given and none is
// built in.
model::Checkpoint load_model(const std::string& spec, std::string& label);
// "chorales, satb": the names of the embedded built-in models.
std::string builtin_names();

}  // namespace musegen::compose
