// Tiny untrained models for the generator's tests: a `notes` model (embedding input, chunks,
// uses <start>), a `multitrack` one, a tutorial-style one (scalar input, windows) and a
// Transformer, with sizes that are not multiples of the kernels' 16 so padding is exercised;
// random ids and the largest logit difference between two engines.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "generate/step_engine.h"
#include "model/config.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/notes_tokenizer.h"
#include "tokenize/tutorial_tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::generate::testing {

inline model::Checkpoint notes_checkpoint(std::uint64_t seed = 3, int hidden = 20,
                                          const std::string& cell = "lstm") {
  tokenize::NotesTokenizer tokenizer(
      nlohmann::json{{"max_shift_steps", 12}, {"max_duration_steps", 12}});
  auto vocabulary = tokenize::Vocabulary::from_table(tokenizer.fixed_vocabulary());
  model::Preset preset = model::make_preset("small");
  preset.model.input = "embedding";
  preset.model.embedding_dim = 8;
  preset.model.cell = cell;
  preset.model.hidden_size = hidden;
  preset.model.num_layers = 2;
  preset.model.dense_sizes = {12};
  preset.model.dense_activation = "tanh";
  preset.train.tokenizer = "notes";
  preset.train.objective = "chunks";
  preset.train.sequence_length = 16;
  return untrained_checkpoint(preset, vocabulary.to_json(tokenizer.config()), seed);
}

// An untrained multitrack model (its fixed vocabulary, fill markers included).
inline model::Checkpoint multitrack_checkpoint(std::uint64_t seed = 7, int hidden = 20) {
  tokenize::MultitrackTokenizer tokenizer;
  auto vocabulary = tokenize::Vocabulary::from_table(tokenizer.fixed_vocabulary());
  model::Preset preset = model::make_preset("small");
  preset.model.embedding_dim = 8;
  preset.model.hidden_size = hidden;
  preset.model.num_layers = 1;
  preset.model.dense_sizes = {};
  preset.train.tokenizer = "multitrack";
  preset.train.objective = "bars";
  preset.train.sequence_length = 64;
  return untrained_checkpoint(preset, vocabulary.to_json(tokenizer.config()), seed);
}

// The tutorial's shape in miniature: scalar input, 3 layers, linear dense, windows of 8.
inline model::Checkpoint tutorial_checkpoint(std::uint64_t seed = 5, int hidden = 24) {
  tokenize::TutorialTokenizer tokenizer;
  auto vocabulary = tokenize::Vocabulary::from_sequences(
      {{"C4", "D4", "E4", "F4", "G4", "A4", "B4", "0.4.7", "2.7", "C5"}});
  model::Preset preset = model::make_preset("tutorial");
  preset.model.hidden_size = hidden;
  preset.model.dense_sizes = {16};
  preset.train.sequence_length = 8;
  return untrained_checkpoint(preset, vocabulary.to_json(tokenizer.config()), seed);
}

// An untrained `notes` Transformer (width 24 in 2 heads, so padding is exercised, a tanh dense
// head) whose every weight is then moved by noise of `spread`: layer norms and biases away
// from GPT-2's 1 and 0, and logits far enough apart that sampling is not a coin toss.
inline model::Checkpoint transformer_checkpoint(int window, std::uint64_t seed = 9,
                                                double spread = 0.15) {
  tokenize::NotesTokenizer tokenizer(
      nlohmann::json{{"max_shift_steps", 12}, {"max_duration_steps", 12}});
  auto vocabulary = tokenize::Vocabulary::from_table(tokenizer.fixed_vocabulary());
  model::Preset preset = model::make_preset("transformer-small");
  preset.model.hidden_size = 24;
  preset.model.num_heads = 2;
  preset.model.ff_size = 40;
  preset.model.num_layers = 2;
  preset.model.attention_window = window;
  preset.model.dense_sizes = {12};
  preset.model.dense_activation = "tanh";
  preset.train.tokenizer = "notes";
  preset.train.sequence_length = 16;
  model::Checkpoint cp = untrained_checkpoint(preset, vocabulary.to_json(tokenizer.config()), seed);
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::normal_distribution<float> noise(0.0f, static_cast<float>(spread));
  for (auto& t : cp.weights.tensors)
    for (float& v : t.values) v += noise(rng);
  return cp;
}

// n ids drawn uniformly from 0 .. vocab - 1 by `seed`.
inline std::vector<std::int32_t> random_ids(int n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
  for (auto& id : ids) id = static_cast<std::int32_t>(rng() % static_cast<unsigned>(vocab));
  return ids;
}

// The largest difference between two engines' logits, over every row.
inline float max_difference(StepEngine& a, StepEngine& b) {
  float worst = 0;
  for (int r = 0; r < a.batch(); ++r) {
    auto la = a.logits(r), lb = b.logits(r);
    for (std::size_t i = 0; i < la.size(); ++i) worst = std::max(worst, std::abs(la[i] - lb[i]));
  }
  return worst;
}

// A fresh temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("musegen-gen-test-" + std::to_string(rd()) + std::to_string(rd()));
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

}  // namespace musegen::generate::testing
