// Learning-rate schedule (optional linear warm-up, then reduce-on-plateau) and early stopping.
// Torch-free; each keeps its state as JSON so a resumed run continues them exactly.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "model/config.h"

namespace musegen::train {

// Lower is better for every monitored metric (losses). A NaN metric never counts as an
// improvement.
class LearningRateSchedule {
 public:
  // Reads learning_rate, schedule ("none" | "plateau"), warmup_steps, plateau_factor and
  // plateau_patience from `config`.
  explicit LearningRateSchedule(const model::TrainConfig& config);
  // The rate for optimiser step `step` (0-based): during the first warmup_steps steps the
  // current rate times (step + 1) / warmup_steps, afterwards the current rate.
  double rate(std::int64_t step) const;
  // Reports one epoch's monitored metric. With "plateau", after plateau_patience epochs in a
  // row without a new best the current rate is multiplied by plateau_factor and the count
  // restarts. Returns true when the rate was cut.
  bool observe(double metric);
  double current() const { return current_; }

  nlohmann::json state() const;
  // Throws ConfigError (key "trainer_state.schedule") when `state` is malformed.
  void restore(const nlohmann::json& state);

 private:
  bool plateau_;
  std::int64_t warmup_steps_;
  double factor_;
  int patience_;
  double current_;
  double best_;
  int bad_epochs_ = 0;
};

class EarlyStopping {
 public:
  // `patience` epochs in a row without a new best stop training; 0 disables.
  explicit EarlyStopping(int patience);
  // Reports one epoch's monitored metric; returns true when training should stop now.
  bool observe(double metric);
  double best() const { return best_; }
  int epochs_without_improvement() const { return bad_epochs_; }

  nlohmann::json state() const;
  // Throws ConfigError (key "trainer_state.early_stop") when `state` is malformed.
  void restore(const nlohmann::json& state);

 private:
  int patience_;
  double best_;
  int bad_epochs_ = 0;
};

}  // namespace musegen::train
