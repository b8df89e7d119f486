// Tiny untrained models for the generator's tests: a `notes` model (embedding input, chunks,
// uses <start>), a `multitrack` one and a tutorial-style one (scalar input, windows), both with a hidden size that
// is not a multiple of the kernels' 16 so padding is exercised.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

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
