// The training loop: batches from the corpus, optimiser steps with gradient clipping and an
// averaging hook for data-parallel runs, validation every epoch (and every N steps), the
// learning-rate schedule, early stopping, best and last checkpoints written atomically, and
// exact resume (every source of randomness is a function of the seed and the step).
// Torch-free header: the CLI and other stages include it without compiling LibTorch.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/errors.h"
#include "data/corpus.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "train/quality.h"

namespace musegen::train {

class GradientSync;

// The last checkpoint beside the best one: "runs/song.pt" -> "runs/song.last.pt".
std::filesystem::path last_checkpoint_path(const std::filesystem::path& model_path);

struct StepReport {
  std::int64_t epoch = 0;              // 1-based epoch in progress
  std::int64_t batch = 0;              // 1-based batch within the epoch
  std::int64_t batches_per_epoch = 0;  // on this rank
  std::int64_t step = 0;               // optimiser steps taken, over all epochs
  double loss = 0;                     // this step's mean loss, nats per target
  double learning_rate = 0;
  double targets_per_sec = 0;  // training targets per second since the last row
};

// Receives the loop's reports; called on the writer rank only. Default: ignore.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void on_step(const StepReport&) {}
  // A metrics row (see MetricsLog) after it was logged; `best`: a new best checkpoint.
  virtual void on_evaluation(const nlohmann::json& /*row*/, bool /*best*/) {}
  // One-line notices: rate cut, early stop, validation replaced by training loss, ...
  virtual void on_note(const std::string&) {}
  // One-line warnings, e.g. the slow reference BLAS is in use.
  virtual void on_warning(const std::string&) {}
};

struct TrainRequest {
  model::Preset preset;  // model.vocab_size is taken from the corpus vocabulary
  const data::Corpus* corpus = nullptr;
  std::filesystem::path model_path;  // the best checkpoint; the last at last_checkpoint_path()
  const model::Checkpoint* resume = nullptr;  // continue this run (its weights, optimiser,
                                              // schedule and position)
  GradientSync* sync = nullptr;               // null: one process
  TrainObserver* observer = nullptr;
  // Polled after every step; non-zero (a signal number) stops the run after that step with
  // the last checkpoint written.
  const std::atomic<int>* stop_signal = nullptr;
};

enum class StopReason { completed, early_stopped, time_limit, interrupted };
std::string to_string(StopReason reason);

struct TrainOutcome {
  StopReason reason = StopReason::completed;
  int signal = 0;  // for interrupted
  std::int64_t epochs_completed = 0;
  std::int64_t steps = 0;
  std::string select_by;   // the metric that chose the best checkpoint
  double best_metric = 0;  // its best value (nats per target); NaN if none
  std::int64_t parameter_count = 0;
  int blas_threads = 0;      // OpenBLAS threads (matrix products)
  int torch_threads = 0;     // LibTorch intra-op threads
  std::string blas_library;  // the BLAS in use (resolved path)
  nlohmann::json last_row;   // the last metrics row (null when none was logged)
  std::filesystem::path best_path, last_path;
  bool best_unevaluated = false;  // best_path holds the weights at a stop before any evaluation
  UnigramBaseline baseline;       // token frequencies alone, on this corpus
  nlohmann::json metrics;         // every metrics row of the run
  double session_sec = 0;         // wall time of this call
};

// Training diverged (a NaN or infinite loss or gradient). The last good checkpoint is kept.
class DivergedError : public Error {
 public:
  explicit DivergedError(const std::string& message) : Error(message) {}
};

// Trains (or, with `resume`, continues) until preset.train.epochs epochs are complete, early
// stopping, preset.train.max_minutes of this session, or a stop signal. Every stop leaves a
// model at request.model_path: the best evaluated so far, else one evaluated at the stop when
// that is cheap, else the current weights (TrainOutcome::best_unevaluated). Throws ConfigError
// for an invalid preset or a resume checkpoint that does not fit the corpus, IoError when a
// checkpoint or metrics file cannot be written, DivergedError as above.
TrainOutcome train(const TrainRequest& request);

}  // namespace musegen::train
