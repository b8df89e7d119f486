// What a model file must hold beyond well-formed blocks: its JSON description read field by
// field with types and ranges, a vocabulary of a known tokenizer that fits the network, and
// weights and optimiser state with exactly the network's names and shapes and finite values.
// Every failure is one ParseError naming the file, the section's byte offset and the field.
// Torch-free (checkpoint.cpp runs it on every load; the fuzzers reach it).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model/checkpoint.h"

namespace musegen::model {

inline constexpr int kMaxJsonDepth = 64;  // deeper nesting is refused before parsing

// The JSON description: at most kMaxJsonDepth levels deep, an object whose "format" is
// `format_name`. Throws ParseError(file, offset, ...).
nlohmann::json parse_checkpoint_json(std::string_view text, const std::string& file,
                                     std::int64_t offset, const char* format_name);

// Fills the preset, vocabulary, epoch, step, metrics, trainer state and (when "optimizer" is
// present) the optimiser's step counts of `c`. Throws ParseError naming the field.
void read_checkpoint_json(Checkpoint& c, const nlohmann::json& json, const std::string& file,
                          std::int64_t offset);

// The checks across sections (vocabulary against tokenizer and network, weights and optimiser
// state against the network). Throws ParseError naming the field.
void validate_checkpoint(const Checkpoint& c, const std::string& file,
                         const CheckpointSections& where);

}  // namespace musegen::model
