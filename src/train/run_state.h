// Where a training run stands (epoch, batch, step, best metric, running loss sums, time so
// far) and its JSON form inside Checkpoint::trainer_state, plus the per-step seed. Torch-free.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "model/checkpoint.h"

namespace musegen::train {

inline constexpr int kTrainerStateVersion = 1;

struct RunState {
  std::int64_t epoch = 0;                                 // completed epochs
  std::int64_t batch_in_epoch = 0;                        // batches done in the epoch in progress
  std::int64_t step = 0;                                  // optimiser steps taken
  double best = std::numeric_limits<double>::infinity();  // best selection metric (nats)
  double interval_loss_sum = 0;  // sum of loss x targets since the last metrics row
  std::int64_t interval_targets = 0;
  double elapsed_before_sec = 0;  // training wall time of earlier sessions
  int world_size = 1;             // processes of the run that wrote the state

  // True when `metric` (a number; null never improves) is below `best`, which it becomes.
  bool improves_best(const nlohmann::json& metric);

  // Checkpoint::trainer_state: this state plus the schedule's and early stopping's.
  nlohmann::json to_json(const std::string& select_by, const nlohmann::json& schedule,
                         const nlohmann::json& early_stop) const;
  // Reads epoch and step from the checkpoint and the rest from its trainer_state. Throws
  // ParseError naming `file` when the state is missing, malformed or of a newer version.
  static RunState from_checkpoint(const model::Checkpoint& checkpoint, const std::string& file);

  // Throws ConfigError when a run stopped inside an epoch is resumed with another world size:
  // batch_in_epoch counts that world size's batches, so another would resume elsewhere in the
  // epoch. At an epoch boundary any world size may continue. `file` names the checkpoint.
  void check_resume_world_size(int resumed_world_size, const std::string& file) const;
};

// The seed of LibTorch's generator for optimiser step `step` of a run seeded with `seed`
// (SplitMix64 of both), so dropout masks do not depend on where a run was resumed. Rank `rank`
// of a distributed run mixes its rank in, so ranks draw different masks for their rows; rank 0
// draws what a one-process run draws.
std::uint64_t step_seed(std::uint64_t seed, std::int64_t step, int rank = 0);

}  // namespace musegen::train
