// The parts of `musegen train` that speak to a first-time user: a preset's full settings
// (--preset NAME --show), the plan for a time budget (--minutes N) with its reasons, and the
// outcome naming only the files that exist, with the "barely trained" verdict.
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

#include "data/corpus.h"
#include "model/config.h"
#include "train/trainer.h"

namespace musegen::cli {

// "preset NAME" then one "  key = value" line per model and training key, as --set spells them.
std::string preset_text(const model::Preset& preset);

// The preset for a run of `minutes` in all, `spent_sec` of them already gone (reading the
// corpus): measured and chosen by train::plan_budget, its reasons printed to `out`. Throws
// ConfigError for a preset it cannot plan or a budget already spent.
model::Preset plan_for_minutes(const model::Preset& base, const data::Corpus& corpus,
                               double minutes, double spent_sec, std::ostream& out);

// The outcome as text on stdout: why it stopped, the model files and metrics files that exist,
// and a warning on stderr when the model is barely trained.
void print_outcome(const train::TrainOutcome& r, const std::filesystem::path& out);

// The files a run writes beside --out that exist now (checkpoints, metrics, loss curve).
std::vector<std::filesystem::path> run_files(const std::filesystem::path& out);

}  // namespace musegen::cli
