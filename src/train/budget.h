// Training to a time budget (`musegen train DIR --minutes N`): measures a few training steps of
// models of growing size on this corpus and machine, and chooses the size, augmentation and
// evaluation schedule that fit the budget, with the reasons in words. Torch-free header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "model/config.h"

namespace musegen::train {

struct SizeMeasure {
  std::string size;  // "tiny", "small", "medium", "large"
  long long parameters = 0;
  double sec_per_step = 0;  // measured
  double epoch_sec = 0;     // sec_per_step x steps per epoch (before augmentation)
};

struct BudgetPlan {
  model::Preset preset;               // the base preset with the chosen size and schedule
  std::vector<SizeMeasure> measured;  // smallest first
  std::string size;
  long long parameters = 0;          // of the chosen size
  int transpose = 0;                 // +-semitones of augmentation (0: none)
  double epochs_in_budget = 0;       // epochs the training minutes allow (with augmentation)
  std::vector<std::string> reasons;  // why, one line each
};

// Plans a run of `train_minutes` on `corpus` (loaded without augmentation) from `base` (a
// chunks-objective preset: its tokenizer and optimiser are kept). `measure` runs a few steps
// of a preset and returns seconds per step (train::measure_step_time in the trainer's library;
// a function so the choice is testable without timing). Throws ConfigError for a base preset
// it cannot plan (the tutorial's windows objective).
using StepTimer = std::function<double(const model::Preset&, long long& parameters)>;
BudgetPlan plan_budget(const model::Preset& base, const data::Corpus& corpus, double train_minutes,
                       const StepTimer& measure);

// Seconds per training step of `preset` on batches of `corpus`: two warm-up steps, then the
// faster of two timed ones. Needs LibTorch (budget_measure.cpp).
double measure_step_time(const model::Preset& preset, const data::Corpus& corpus,
                         long long& parameters);

}  // namespace musegen::train
