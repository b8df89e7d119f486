// Vocabulary: token strings <-> integer ids, with special tokens for padding, sequence start,
// sequence end and unknown tokens at fixed ids 0..3. Built from training data or from a
// tokenizer's fixed event table; saved as JSON together with the tokenizer's configuration.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenize/tokenizer.h"

namespace musegen::tokenize {

inline constexpr std::int32_t kPadId = 0;
inline constexpr std::int32_t kStartId = 1;
inline constexpr std::int32_t kEndId = 2;
inline constexpr std::int32_t kUnknownId = 3;
inline const char* const kSpecialTokens[] = {"<pad>", "<start>", "<end>", "<unk>"};

class Vocabulary {
 public:
  Vocabulary();  // only the special tokens

  // Adds a token if new; returns its id.
  std::int32_t add(const std::string& token);
  // Id of a token, or kUnknownId when absent.
  std::int32_t id(const std::string& token) const;
  bool contains(const std::string& token) const;
  // Text of an id. Throws ConfigError for an id out of range.
  const std::string& token(std::int32_t id) const;
  std::size_t size() const { return tokens_.size(); }
  bool is_special(std::int32_t id) const { return id >= 0 && id <= kUnknownId; }

  // Tokens absent from the vocabulary become kUnknownId and are counted in *n_unknown.
  std::vector<std::int32_t> encode(const Tokens& tokens, std::size_t* n_unknown = nullptr) const;
  // Special ids are dropped.
  Tokens decode(const std::vector<std::int32_t>& ids) const;

  // {"tokenizer": tokenizer_config, "tokens": [...]}.
  nlohmann::json to_json(const nlohmann::json& tokenizer_config) const;
  // Throws ConfigError when the JSON is not a vocabulary.
  static Vocabulary from_json(const nlohmann::json& json);

  // From a fixed table (performance, frames), in table order; or from the distinct tokens of
  // training sequences sorted by their text, as the tutorial does (sorted(set(notes))).
  static Vocabulary from_table(const Tokens& table);
  static Vocabulary from_sequences(const std::vector<Tokens>& sequences);

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t> ids_;
};

}  // namespace musegen::tokenize
