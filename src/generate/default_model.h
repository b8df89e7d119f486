// The model `musegen generate` uses when no --model is given: a model file embedded in the
// program. The single place to plug it in is default_model_bytes().
#pragma once

#include <string_view>

namespace musegen::generate {

// The bytes of the embedded default model file (a musegen model file, as `musegen train`
// writes), or an empty view when this build embeds none; then --model is required.
std::string_view default_model_bytes();

// The name errors and reports give the embedded model.
inline constexpr const char* kDefaultModelName = "<built-in default model>";

}  // namespace musegen::generate
