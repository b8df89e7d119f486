// The model file: one self-describing file holding everything needed to generate or resume:
// weights, optimiser state, model and training configuration, tokenizer configuration,
// vocabulary, epoch and step, metrics so far, trainer state, and a format version.
// Layout: magic "MUSEGENM", u32 version, u64 JSON length, JSON, u64 weights length, weights
// (a LibTorch archive), u64 optimiser length, optimiser archive, u64 FNV-1a checksum of all
// preceding bytes. Torch-free: the archives are opaque bytes here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "model/config.h"

namespace musegen::model {

inline constexpr std::uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  Preset preset;              // model + training configuration
  nlohmann::json vocabulary;  // Vocabulary::to_json (includes the tokenizer config)
  std::int64_t epoch = 0;     // completed epochs
  std::int64_t step = 0;      // optimiser steps taken
  nlohmann::json metrics = nlohmann::json::array();         // one object per evaluation
  nlohmann::json trainer_state = nlohmann::json::object();  // schedule, early stop, best
  std::string weights;          // serialized module parameters and buffers
  std::string optimizer_state;  // serialized optimiser state ("" when not saved)
};

// Written atomically (temporary file + rename). Throws IoError.
void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path);
// Throws IoError when unreadable, ParseError (file, byte offset, what is wrong) when the file
// is not a musegen model, is damaged (checksum, truncation), or has a newer format version.
Checkpoint load_checkpoint(const std::filesystem::path& path);
Checkpoint checkpoint_from_bytes(const std::string& bytes, const std::string& name);
std::string checkpoint_to_bytes(const Checkpoint& checkpoint);

}  // namespace musegen::model
