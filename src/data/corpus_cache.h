// The binary token-corpus cache: a self-describing file (magic, version, JSON header with the
// key it was built for, the vocabulary, statistics and file list, then the token ids and a
// checksum), validated on load.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/corpus.h"
#include "data/corpus_files.h"

namespace musegen::data {

inline constexpr char kCorpusCacheMagic[9] = "MGCORPUS";  // 8 bytes in the file
inline constexpr std::uint32_t kCorpusCacheVersion =
    2;  // 2: instruments and dropped notes in the statistics

// What a cache must match to be reused: the format version, the tokenizer config, the options
// that change the content (split, seed, augmentation, given vocabulary, strictness) and the
// fingerprint (relative path, size, modification time) of every input file.
nlohmann::json corpus_cache_key(const nlohmann::json& tokenizer_config,
                                const CorpusOptions& options,
                                const std::vector<InputFile>& train_inputs,
                                const std::vector<InputFile>* valid_inputs);

// True when two keys describe the same corpus.
bool same_cache_key(const nlohmann::json& a, const nlohmann::json& b);
// What differs between two keys, e.g. "tokenizer, 1 file changed, 2 added".
std::string describe_key_change(const nlohmann::json& old_key, const nlohmann::json& new_key);

// Layout, integers little-endian: "MGCORPUS", u32 version, u64 header length, the JSON header,
// every file's ids as i32 (train files then valid files, in order), u64 FNV-1a of all the
// bytes before it. Written atomically. Throws IoError.
void write_corpus_cache(const std::filesystem::path& path, const Corpus& corpus,
                        const nlohmann::json& key);
std::vector<std::uint8_t> corpus_cache_to_bytes(const Corpus& corpus, const nlohmann::json& key);

struct CachedCorpus {
  Corpus corpus;       // stats.from_cache set
  nlohmann::json key;  // what it was built for
};

// Reads and validates a cache file. Throws IoError when it cannot be read and ParseError
// (file, byte offset, what was expected) when it is damaged, foreign or of another version.
// Cache files are rebuilt by musegen itself, but one may be damaged or planted: the reader
// checks every count against the bytes present before allocating (fuzz/corpus_cache_fuzz.cpp).
CachedCorpus read_corpus_cache(const std::filesystem::path& path);
// The same for bytes in memory; `name` names them in errors.
CachedCorpus corpus_cache_from_bytes(std::span<const std::uint8_t> bytes, const std::string& name);

// The statistics as JSON and back (used by the cache and summary_json). stats_from_json
// throws nlohmann::json exceptions on malformed input.
nlohmann::json stats_to_json(const CorpusStats& stats);
CorpusStats stats_from_json(const nlohmann::json& json);

}  // namespace musegen::data
