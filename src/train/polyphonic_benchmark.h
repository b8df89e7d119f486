// The standard polyphonic benchmark run (../shared/data/README.md): train with the `frames`
// tokenizer on a set's train split, select the checkpoint by the valid split's frame NLL,
// report valid and test frame NLL beside the published figures. Torch-free header.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "model/config.h"
#include "train/frame_likelihood.h"
#include "train/trainer.h"

namespace musegen::train {

struct PublishedScore {
  std::string model;    // "LSTM", "TCN", "RNN-NADE", ...
  double test_nll = 0;  // nats per frame
  std::string source;
};

struct BenchmarkSet {
  std::string name;  // "jsb", "nottingham", "piano-midi", "musedata"
  std::string title;
  // The README's counts: sequences and frames per split (train, valid, test).
  std::int64_t sequences[3] = {0, 0, 0};
  std::int64_t frames[3] = {0, 0, 0};
  std::vector<PublishedScore> published;  // lowest last
  // key=value settings found by our runs for this set (docs/benchmark.md), applied on top of
  // the base preset unless the caller asks for the plain preset.
  std::vector<std::string> tuned;
  // The same for a Transformer base preset (arch=transformer): sized and regularised by
  // analogy with `tuned` (a model of the same order of weights), not yet tuned by runs.
  std::vector<std::string> tuned_transformer;
};

// Throws ConfigError (key "set") naming the allowed sets.
const BenchmarkSet& benchmark_set(const std::string& name);
std::vector<std::string> benchmark_set_names();

// The keys the protocol fixes: the frames tokenizer at 1 frame per quarter over the 88 keys
// 21..108, the "chunks" objective (a loss at every token, each file read from <start>), and
// the valid split as the validation set.
const std::vector<std::string>& protocol_keys();

// make_preset(base) (with the set's tuned settings for the base's arch when `tuned`), the
// protocol's keys, then
// `sets` in order. Throws ConfigError naming the key for an unknown preset or bad value, and
// for a `sets` entry that would change a protocol key.
model::Preset benchmark_preset(const BenchmarkSet& set, const std::string& base, bool tuned,
                               const std::vector<std::string>& sets);

struct BenchmarkRequest {
  const BenchmarkSet* set = nullptr;
  std::filesystem::path set_dir;      // holds train/, valid/ and test/
  model::Preset preset;               // from benchmark_preset
  std::filesystem::path model_path;   // the selected model; the trainer's run files beside it
  TrainObserver* observer = nullptr;  // progress, plus notes on each valid frame NLL
  const std::atomic<int>* stop_signal = nullptr;
  int eval_batch_size = 16;  // sequences per batch in frame NLL evaluation
};

struct BenchmarkOutcome {
  TrainOutcome training;
  std::filesystem::path run_path;  // the trainer's best-by-token-loss checkpoint
  std::int64_t selected_epoch = 0, selected_step = 0;
  FrameLikelihood valid, test;                          // the network's softmax, as trained
  FrameLikelihood valid_constrained, test_constrained;  // restricted to legal tokens
  data::CorpusStats train_stats, test_stats;
  std::int64_t parameter_count = 0;
  double train_sec = 0;      // training, including the per-evaluation frame NLL
  double selection_sec = 0;  // of which: valid frame NLL of each evaluated checkpoint
  double total_sec = 0;      // everything, reading the data included
  nlohmann::json to_json() const;
};

// The path of the trainer's own run files for `model_path`: "b/jsb.pt" -> "b/jsb.run.pt".
std::filesystem::path run_checkpoint_path(const std::filesystem::path& model_path);

// Reads the splits, trains, selects and scores. Throws IoError when a split folder is
// missing, ConfigError for a bad preset, musegen::Error when training produced no
// checkpoint to score (interrupted before the first one), and what train() throws.
BenchmarkOutcome run_benchmark(const BenchmarkRequest& request);

}  // namespace musegen::train
