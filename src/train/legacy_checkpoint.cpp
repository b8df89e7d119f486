// Conversion of version-1 model files: their JSON description as today's, their LibTorch
// archives loaded into a network (and an optimiser) of their own configuration, then saved
// as tensor blocks and validated by reading the new bytes back.
#include "train/legacy_checkpoint.h"

#include <sstream>

#include "core/errors.h"
#include "model/checkpoint_checks.h"
#include "model/model_io.h"
#include "train/optimizer.h"

namespace musegen::train {

namespace {

// The first line of a LibTorch error, without its C++ stack trace.
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

torch::serialize::InputArchive archive_of(std::string_view bytes, const std::string& name,
                                          std::int64_t offset, const char* what) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream in{std::string(bytes)};
    archive.load_from(in);
  } catch (const c10::Error& e) {
    throw ParseError(
        name, offset,
        std::string("the ") + what + " archive is unreadable: " + first_line(e.what()));
  }
  return archive;
}

}  // namespace

model::Checkpoint upgrade_legacy_checkpoint(std::string_view bytes, const std::string& name) {
  const model::CheckpointSections s = model::split_checkpoint(bytes, name);
  if (s.version != model::kLegacyCheckpointVersion)
    throw ParseError(
        name, 8,
        "already model file format version " + std::to_string(s.version) + ": nothing to upgrade");
  model::Checkpoint c;
  model::read_checkpoint_json(
      c, model::parse_checkpoint_json(s.json, name, s.json_offset, "musegen-model"), name,
      s.json_offset);
  model::SequenceModel network(c.preset.model);
  auto weights = archive_of(s.weights, name, s.weights_offset, "weights");
  const model::TensorBlock expected = model::save_module(*network);
  try {
    network->load(weights);
  } catch (const c10::Error& e) {
    throw ParseError(name, s.weights_offset, "weights do not fit: " + first_line(e.what()));
  }
  c.weights = model::save_module(*network);
  // InputArchive replaces a tensor whatever its shape: each is checked against the network's.
  for (std::size_t i = 0; i < expected.tensors.size(); ++i)
    if (c.weights.tensors[i].shape != expected.tensors[i].shape)
      throw ParseError(name, s.weights_offset,
                       "weights do not fit: " + expected.tensors[i].name + " has shape " +
                           model::shape_text(c.weights.tensors[i].shape) + ", the configuration " +
                           model::shape_text(expected.tensors[i].shape));
  if (!s.optimizer.empty()) {
    auto optimizer = make_optimizer(c.preset.train, network->parameters());
    auto archive = archive_of(s.optimizer, name, s.optimizer_offset, "optimiser");
    try {
      optimizer->load(archive);
    } catch (const c10::Error& e) {
      throw ParseError(name, s.optimizer_offset,
                       "optimiser state does not fit: " + first_line(e.what()));
    }
    c.optimizer = model::save_optimizer(*optimizer);
  }
  return model::checkpoint_from_bytes(model::checkpoint_to_bytes(c), name);
}

}  // namespace musegen::train
