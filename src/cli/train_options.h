// The options of `musegen train`, declared once here (src/cli/train.cpp runs them).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "train/distributed.h"

namespace musegen::cli {

struct TrainCliOptions {
  std::string data_dir, preset = "default", out, valid_dir, cache, from;
  std::vector<std::string> sets;
  int epochs = 0, threads = 0;
  double max_minutes = 0;
  std::optional<double> minutes;  // --minutes: the whole run's budget, planned (train_plan.h)
  std::uint64_t seed = 0;
  bool resume = false, json = false, verbose = false, show = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Which of the optional values were given on the command line.
  bool has_preset = false, has_epochs = false, has_threads = false, has_minutes = false,
       has_seed = false;
  // Distributed run: flags given (else torchrun's environment variables).
  int world_size = 1, rank = 0;
  std::string master;
  double timeout_sec = 60;
  std::optional<double> join_timeout_sec;
  train::DistributedFlags distributed_flags() const;
  bool has_world_size = false, has_rank = false, has_master = false, has_timeout = false;
};

// Declares every option of `train` on `cmd`, bound to `o`.
void add_train_options(CLI::App* cmd, TrainCliOptions& o);
// Records in `o` which optional values were given on the command line (after parsing).
void note_given(const CLI::App& cmd, TrainCliOptions& o);

}  // namespace musegen::cli
