// The training corpus: a folder of MIDI files read in parallel, tokenized, split by file into
// training and validation parts, the training part optionally augmented by transposition, and
// cached as a binary file reused while the inputs and the tokenizer stay the same.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tokenize/vocabulary.h"

namespace musegen::data {

struct CorpusOptions {
  nlohmann::json tokenizer = {{"name", "notes"}};  // make_tokenizer() config
  double valid_fraction = 0.1;                     // share of files held out, 0 <= f < 1
  std::optional<std::filesystem::path> valid_dir;  // explicit validation folder (no split)
  std::uint64_t seed = 1;                          // the split is a function of it
  int transpose_min = 0;                           // augmentation, training files only, in
  int transpose_max = 0;                           // semitones; copies leaving 0..127 skipped
  // A fixed vocabulary (a trained model's): tokens outside it become <unk> and are counted.
  // Without it the vocabulary is built from the training part (after augmentation).
  std::optional<tokenize::Vocabulary> vocabulary;
  std::optional<std::filesystem::path> cache_path;  // binary token cache; none: no cache
  int threads = 0;                                  // parsing threads; 0: every core
  bool strict = false;                              // MIDI warnings become errors (file skipped)
  // Called as files are done: stage "reading" (every file) then, when the split leaves
  // copies to make, "augmenting" (training files). Called from worker threads, one call at a
  // time. Does not change the corpus (not part of the cache key).
  std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
};

struct SkippedFile {
  std::string file;
  std::string reason;  // the reader's or tokenizer's one-line message
};

struct CorpusStats {
  std::size_t files_found = 0;
  std::size_t files_read = 0;
  std::size_t files_skipped = 0;
  std::size_t files_empty = 0;                  // read, but gave no token (counted, not used)
  std::size_t notes = 0;                        // notes in the files read
  std::map<int, std::size_t> instrument_notes;  // GM program (128: drums) -> notes read
  // What the tokenizer left out of the files' own tokens, by reason -> count.
  std::map<std::string, std::size_t> dropped;
  std::size_t train_tokens = 0;
  std::size_t valid_tokens = 0;
  std::size_t unknown_tokens = 0;    // tokens mapped to <unk>
  std::size_t augmented_copies = 0;  // transposed training copies added
  std::size_t warnings = 0;          // reader warnings over all files
  std::size_t train_files = 0;       // original files in the training part
  std::size_t valid_files = 0;       // files in the validation part
  bool from_cache = false;
  bool cache_written = false;
  std::string cache_note;  // why an existing cache file was not used (stale or damaged)
  std::vector<SkippedFile> skipped;
  std::vector<std::string> empty_files;  // read, but without tokens (relative paths)
  // Reader warnings "FILE: byte N: ..." (at most kWarningsKept per file; `warnings` counts all).
  std::vector<std::string> warning_lines;
};

// One file's music as token ids (no special tokens added).
struct TokenizedFile {
  std::string path;   // relative to the corpus folder
  int transpose = 0;  // semitones of augmentation (0 for the original)
  std::vector<std::int32_t> ids;
};

struct Corpus {
  nlohmann::json tokenizer_config;  // Tokenizer::config() of the tokenizer used
  tokenize::Vocabulary vocabulary;
  std::vector<TokenizedFile> train;  // originals then augmented copies, in a stable order
  std::vector<TokenizedFile> valid;
  CorpusStats stats;
};

// Loads DIR recursively (.mid/.midi in any case). Unreadable files are skipped and recorded
// in stats.skipped, never fatal. Throws IoError when DIR is missing, ConfigError for bad
// options, and musegen::Error when no file gives any token ("no usable MIDI file in DIR").
// A valid_dir inside DIR is left out of the training files. With cache_path, an existing
// cache built from the same inputs (paths, sizes, modification times), tokenizer config and
// content options is returned as is (stats.from_cache); otherwise the corpus is built and the
// cache (re)written atomically (IoError when that fails); a damaged or foreign cache file is
// rebuilt, with the reason in stats.cache_note.
Corpus load_corpus(const std::filesystem::path& dir, const CorpusOptions& options);

// The split by file: for each path, true when it goes to validation. round(valid_fraction *
// n) files are chosen, at least one when valid_fraction > 0 and n >= 2, never all of them; the
// choice depends only on (seed, path), so it is the same on every run and machine and mostly
// stable when files are added. Throws ConfigError unless 0 <= valid_fraction < 1.
std::vector<bool> choose_validation(const std::vector<std::string>& paths, double valid_fraction,
                                    std::uint64_t seed);

// A multi-line human summary: files read, skipped (grouped by reason), notes, tokens,
// vocabulary size, cache use.
std::string summary_text(const Corpus& corpus);
// Every reader warning kept, one "warning: FILE: byte N: ..." line each (for --verbose).
std::string warnings_text(const Corpus& corpus);
// "a.mid, b.mid, c.mid and 4 more": at most `limit` names.
std::string listed(const std::vector<std::string>& names, std::size_t limit = 5);
nlohmann::json summary_json(const Corpus& corpus);

}  // namespace musegen::data
