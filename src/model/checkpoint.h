// The model file: one self-describing file holding everything needed to generate or resume:
// weights, optimiser state, model and training configuration, tokenizer configuration,
// vocabulary, epoch and step, metrics so far, trainer state, and a format version.
// Layout (version 2, integers little-endian): magic "MUSEGENM", u32 version, u64 JSON length,
// JSON (with "optimizer": {"name", "steps"} when its state is saved), u64 weights length,
// weights (a tensor block, model/tensor_block.h), u64 optimiser length, optimiser tensor
// block (0 bytes when not saved), u64 FNV-1a checksum of all
// preceding bytes. Torch-free: the fuzzers and the fast engine read it without LibTorch.
// Model files are input from strangers: reading checks every length before allocating and
// validates the whole file (model/checkpoint_checks.h) before anything is built from it.
// Version 1 held LibTorch archives (zip + pickle); it is refused, and converted on request
// only (train/legacy_checkpoint.h, `musegen model OLD --upgrade NEW`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "model/tensor_block.h"

namespace musegen::model {

inline constexpr std::uint32_t kCheckpointVersion = 2;
inline constexpr std::uint32_t kLegacyCheckpointVersion = 1;  // LibTorch archives inside

// What an optimiser of TrainConfig::optimizer carries from step to step: tensors
// "param.I.SLOT" for parameter I (in network order) and slot SLOT ("exp_avg", "exp_avg_sq",
// "square_avg", "momentum_buffer"), and per parameter the steps it has taken (-1: no state
// yet); `steps` is empty for sgd, which counts none.
struct OptimizerState {
  std::vector<std::int64_t> steps;
  TensorBlock tensors;
};

struct Checkpoint {
  Preset preset;              // model + training configuration
  nlohmann::json vocabulary;  // Vocabulary::to_json (includes the tokenizer config)
  std::int64_t epoch = 0;     // completed epochs
  std::int64_t step = 0;      // optimiser steps taken
  nlohmann::json metrics = nlohmann::json::array();         // one object per evaluation
  nlohmann::json trainer_state = nlohmann::json::object();  // schedule, early stop, best
  // The network's parameters under LibTorch's names ("lstm.weight_ih_l0"), exactly those of
  // network_parameters(preset.model) (model/network_shapes.h).
  TensorBlock weights;
  // The optimiser's state; nullopt when not saved (a model exported for sharing).
  std::optional<OptimizerState> optimizer;
};

// Written atomically (temporary file + rename). Throws IoError (full disk, no permission).
void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path);
// Throws IoError when unreadable, ParseError (file, byte offset, the field and what is wrong)
// when the file is not a musegen model, is damaged (checksum, truncation), has another format
// version (version 1: with the command that converts it), or fails validate_checkpoint.
Checkpoint load_checkpoint(const std::filesystem::path& path);
Checkpoint checkpoint_from_bytes(std::string_view bytes, const std::string& name);
std::string checkpoint_to_bytes(const Checkpoint& checkpoint);

// The sections of a model file as found, before any of them is interpreted: for the
// fuzzers (which must reach the parser beneath the checksum) and the version-1 converter.
struct CheckpointSections {
  std::uint32_t version = 0;
  std::string_view json, weights, optimizer;  // views into the bytes read
  std::int64_t json_offset = 0, weights_offset = 0, optimizer_offset = 0;  // in the file
};
// Checks magic, version (1 or 2 accepted here), section lengths and the checksum. Throws
// ParseError.
CheckpointSections split_checkpoint(std::string_view bytes, const std::string& name);
// The FNV-1a 64 checksum a file ending after `bytes` must carry.
std::uint64_t checkpoint_checksum(std::string_view bytes);

}  // namespace musegen::model
