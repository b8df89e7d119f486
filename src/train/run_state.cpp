// RunState <-> trainer_state JSON, and the per-step seed.
#include "train/run_state.h"

#include <cmath>

#include "core/errors.h"

namespace musegen::train {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

bool RunState::improves_best(const nlohmann::json& metric) {
  if (!metric.is_number()) return false;
  const double value = metric.get<double>();
  if (!(value < best)) return false;  // also false for NaN
  best = value;
  return true;
}

nlohmann::json RunState::to_json(const std::string& select_by, const nlohmann::json& schedule,
                                 const nlohmann::json& early_stop) const {
  return {{"version", kTrainerStateVersion},
          {"select_by", select_by},
          {"batch_in_epoch", batch_in_epoch},
          {"best", std::isfinite(best) ? nlohmann::json(best) : nlohmann::json(nullptr)},
          {"interval_loss_sum", interval_loss_sum},
          {"interval_targets", interval_targets},
          {"elapsed_sec", elapsed_before_sec},
          {"world_size", world_size},
          {"schedule", schedule},
          {"early_stop", early_stop}};
}

RunState RunState::from_checkpoint(const model::Checkpoint& checkpoint, const std::string& file) {
  const nlohmann::json& j = checkpoint.trainer_state;
  RunState s;
  s.epoch = checkpoint.epoch;
  s.step = checkpoint.step;
  try {
    const int version = j.at("version").get<int>();
    if (version > kTrainerStateVersion)
      throw ParseError(file, 0,
                       "trainer state version " + std::to_string(version) +
                           " is newer than this musegen reads (" +
                           std::to_string(kTrainerStateVersion) + "); update musegen");
    s.batch_in_epoch = j.at("batch_in_epoch").get<std::int64_t>();
    if (!j.at("best").is_null()) s.best = j.at("best").get<double>();
    s.interval_loss_sum = j.at("interval_loss_sum").get<double>();
    s.interval_targets = j.at("interval_targets").get<std::int64_t>();
    s.elapsed_before_sec = j.at("elapsed_sec").get<double>();
    s.world_size = j.value("world_size", 1);  // absent before distributed runs were recorded
    if (!j.at("schedule").is_object() || !j.at("early_stop").is_object())
      throw ParseError(file, 0, "trainer state lacks its schedule or early-stopping state");
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(file, 0,
                     std::string("the checkpoint has no usable trainer state to resume from (") +
                         e.what() + ")");
  }
  if (s.epoch < 0 || s.step < 0 || s.batch_in_epoch < 0 || s.world_size < 1)
    throw ParseError(file, 0,
                     "negative epoch, step or batch, or no processes, in the trainer state");
  return s;
}

void RunState::check_resume_world_size(int resumed_world_size, const std::string& file) const {
  if (batch_in_epoch == 0 || resumed_world_size == world_size) return;
  throw ConfigError(
      "world-size",
      file + ": the run stopped " + std::to_string(batch_in_epoch) + " batches into epoch " +
          std::to_string(epoch + 1) + " with " + std::to_string(world_size) + " process(es), and " +
          std::to_string(resumed_world_size) + " would resume elsewhere in that epoch",
      std::to_string(world_size) + " (any number once an epoch has ended)");
}

std::uint64_t step_seed(std::uint64_t seed, std::int64_t step, int rank) {
  const std::uint64_t one_process = splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(step));
  if (rank == 0) return one_process;
  return splitmix64(one_process ^ splitmix64(static_cast<std::uint64_t>(rank)));
}

}  // namespace musegen::train
