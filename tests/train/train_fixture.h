// Tiny corpora and models for the training tests: token ids written in code, a 1x32 LSTM,
// an observer stopping a run at a step (as SIGINT would), and a temporary folder removed at
// the end of each test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "model/config.h"
#include "train/trainer.h"

namespace musegen::train::testing {

// The pattern a b a c a d ... over ids 4 (a), 5, 6, 7: after "a" the next id depends on the
// one before it, so a model must remember two steps to predict it. Conditional entropies per
// target: 1.24 nats knowing nothing (unigram), 0.55 knowing only the previous id, 0 knowing
// the previous two.
inline std::vector<std::int32_t> pattern_ids(int n_tokens, int phase = 0) {
  const std::int32_t cycle[] = {4, 5, 4, 6, 4, 7};
  std::vector<std::int32_t> ids;
  for (int i = 0; i < n_tokens; ++i) ids.push_back(cycle[(i + phase) % 6]);
  return ids;
}

// `n_train` training files and `n_valid` validation files of `n_tokens` pattern ids each.
inline data::Corpus pattern_corpus(int n_train, int n_valid, int n_tokens) {
  data::Corpus corpus;
  corpus.tokenizer_config = {{"name", "notes"}};
  for (const char* token : {"a", "b", "c", "d"}) corpus.vocabulary.add(token);
  for (int i = 0; i < n_train; ++i)
    corpus.train.push_back({"train" + std::to_string(i) + ".mid", 0, pattern_ids(n_tokens)});
  for (int i = 0; i < n_valid; ++i)
    corpus.valid.push_back({"valid" + std::to_string(i) + ".mid", 0, pattern_ids(n_tokens)});
  return corpus;
}

// A 1x32 LSTM with a 16-wide dense layer and dropout (so the resume tests exercise the
// random generator), trained with chunks of 16 tokens in batches of 4.
inline model::Preset tiny_preset() {
  model::Preset p = model::make_preset("default");
  p.model.embedding_dim = 16;
  p.model.hidden_size = 32;
  p.model.num_layers = 1;
  p.model.dropout = 0.0;
  p.model.dense_sizes = {16};
  p.model.dense_dropout = 0.2;
  p.train.sequence_length = 16;
  p.train.batch_size = 4;
  p.train.learning_rate = 1e-2;
  p.train.epochs = 3;
  p.train.early_stop_patience = 0;
  p.train.threads = 1;
  return p;
}

// A fresh folder under the system's temporary directory, removed on destruction.
// Stops the run (as SIGINT would) once the given step is done.
class StopAtStep : public TrainObserver {
 public:
  StopAtStep(std::int64_t step, std::atomic<int>& flag) : step_(step), flag_(flag) {}
  void on_step(const StepReport& s) override {
    if (s.step == step_) flag_.store(2);
  }

 private:
  std::int64_t step_;
  std::atomic<int>& flag_;
};

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("musegen_train_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace musegen::train::testing
