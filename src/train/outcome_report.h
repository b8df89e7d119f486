// How a training run's outcome is reported (by `musegen train` for sequence models and GANs
// alike): one JSON object, or lines of text naming the checkpoints and metrics files.
// Torch-free.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "train/trainer.h"

namespace musegen::train {

// {"status", "epochs", "steps", "select_by", "best_metric", "parameters", "blas_threads",
// "torch_threads", "blas_library", "best_checkpoint", "last_checkpoint", "last_row",
// "session_sec"}.
nlohmann::json outcome_json(const TrainOutcome& outcome);

// "stopped: ...", "best checkpoint: ...", "last checkpoint: ...", "metrics: ..." lines for a run
// whose best checkpoint is `out`.
std::string outcome_text(const TrainOutcome& outcome, const std::filesystem::path& out);

}  // namespace musegen::train
