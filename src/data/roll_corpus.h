// The GAN's corpus: a folder of music files read in parallel, split by file into training and
// validation parts (as data::load_corpus splits), each file cut into piano-roll phrases
// (data/piano_roll.h), and what decoding needs to know of the tracks (instrument, name, whether
// the part is one voice). Unreadable files are skipped and counted, never fatal. Torch-free.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "data/piano_roll.h"

namespace musegen::data {

struct RollCorpusOptions {
  RollFormat format;
  double valid_fraction = 0.1;                     // share of files held out, 0 <= f < 1
  std::optional<std::filesystem::path> valid_dir;  // explicit validation folder (no split)
  std::uint64_t seed = 1;                          // the split is a function of it
  int threads = 0;                                 // reading threads; 0: every core
};

struct RollCorpusStats {
  std::size_t files_found = 0, files_read = 0, files_skipped = 0, files_without_phrase = 0;
  std::size_t train_files = 0, valid_files = 0;
  RollStats notes;                   // over every file read
  std::size_t polyphonic_steps = 0;  // training steps where one track sounds two pitches
  std::vector<SkippedFile> skipped;
};

struct RollCorpus {
  RollFormat format;
  std::vector<Phrase> train, valid;
  // Per track, from the training files: the instrument and track name most parts there have,
  // and monophonic when at most 5% of the steps where it sounds have two pitches or more.
  std::vector<RollTrack> tracks;
  RollCorpusStats stats;
};

// Throws IoError when a folder is missing, ConfigError for bad options, and musegen::Error
// when no training file gives a phrase.
RollCorpus load_roll_corpus(const std::filesystem::path& dir, const RollCorpusOptions& options);

std::string roll_summary_text(const RollCorpus& corpus);
nlohmann::json roll_summary_json(const RollCorpus& corpus);

// The vocabulary JSON of a GAN's model file: {"tokenizer": {"name": "pianoroll", "tracks":
// [...]}, "tokens": the four special tokens} (a GAN reads no tokens).
nlohmann::json roll_vocabulary(const std::vector<RollTrack>& tracks);
// The tracks of such a vocabulary. Throws ConfigError when it holds none, or not `expected`.
std::vector<RollTrack> tracks_from_vocabulary(const nlohmann::json& vocabulary, int expected);

// tracks as JSON ([{"program", "name", "monophonic"}]) and back (ConfigError when malformed).
nlohmann::json tracks_to_json(const std::vector<RollTrack>& tracks);
std::vector<RollTrack> tracks_from_json(const nlohmann::json& json);

}  // namespace musegen::data
