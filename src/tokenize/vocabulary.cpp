// Vocabulary: token strings <-> ids with fixed special ids, JSON round trip, and construction
// from a fixed table or from training sequences (sorted distinct tokens, as the tutorial does).
#include "tokenize/vocabulary.h"

#include <algorithm>

#include "core/errors.h"

namespace musegen::tokenize {

Vocabulary::Vocabulary() {
  for (const char* special : kSpecialTokens) add(special);
}

std::int32_t Vocabulary::add(const std::string& token) {
  auto it = ids_.find(token);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<std::int32_t>(tokens_.size());
  tokens_.push_back(token);
  ids_.emplace(token, id);
  return id;
}

std::int32_t Vocabulary::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? kUnknownId : it->second;
}

bool Vocabulary::contains(const std::string& token) const {
  return ids_.count(token) > 0;
}

const std::string& Vocabulary::token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
    throw ConfigError("token id", "id " + std::to_string(id) + " is not in the vocabulary",
                      "0.." + std::to_string(static_cast<std::int64_t>(tokens_.size()) - 1));
  return tokens_[static_cast<std::size_t>(id)];
}

std::vector<std::int32_t> Vocabulary::encode(const Tokens& tokens, std::size_t* n_unknown) const {
  std::vector<std::int32_t> ids;
  ids.reserve(tokens.size());
  std::size_t unknown = 0;
  for (const auto& t : tokens) {
    auto it = ids_.find(t);
    if (it == ids_.end()) {
      ++unknown;
      ids.push_back(kUnknownId);
    } else {
      ids.push_back(it->second);
    }
  }
  if (n_unknown) *n_unknown = unknown;
  return ids;
}

Tokens Vocabulary::decode(const std::vector<std::int32_t>& ids) const {
  Tokens tokens;
  tokens.reserve(ids.size());
  for (auto id : ids) {
    if (is_special(id)) continue;
    tokens.push_back(token(id));
  }
  return tokens;
}

nlohmann::json Vocabulary::to_json(const nlohmann::json& tokenizer_config) const {
  return {{"tokenizer", tokenizer_config}, {"tokens", tokens_}};
}

Vocabulary Vocabulary::from_json(const nlohmann::json& json) {
  const std::string allowed =
      "{\"tokenizer\": {...}, \"tokens\": [\"<pad>\", \"<start>\", "
      "\"<end>\", \"<unk>\", distinct strings...]}";
  if (!json.is_object() || !json.contains("tokens") || !json.at("tokens").is_array())
    throw ConfigError("vocabulary", "not a vocabulary: expected an object with a \"tokens\" array",
                      allowed);
  const auto& list = json.at("tokens");
  if (list.size() < std::size(kSpecialTokens))
    throw ConfigError("vocabulary.tokens", "fewer entries than the 4 special tokens", allowed);
  Vocabulary vocab;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& entry = list[i];
    const std::string where = "entry " + std::to_string(i);
    if (!entry.is_string())
      throw ConfigError("vocabulary.tokens", where + " is not a string: " + entry.dump(), allowed);
    const auto& text = entry.get_ref<const std::string&>();
    if (i < std::size(kSpecialTokens)) {
      if (text != kSpecialTokens[i])
        throw ConfigError("vocabulary.tokens",
                          where + " is \"" + text + "\", expected \"" + kSpecialTokens[i] + "\"",
                          allowed);
      continue;
    }
    if (vocab.contains(text))
      throw ConfigError("vocabulary.tokens", where + " repeats the token \"" + text + "\"",
                        allowed);
    vocab.add(text);
  }
  return vocab;
}

Vocabulary Vocabulary::from_table(const Tokens& table) {
  Vocabulary vocab;
  for (const auto& t : table) vocab.add(t);
  return vocab;
}

Vocabulary Vocabulary::from_sequences(const std::vector<Tokens>& sequences) {
  std::vector<std::string> distinct;
  for (const auto& seq : sequences) distinct.insert(distinct.end(), seq.begin(), seq.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  Vocabulary vocab;
  for (const auto& t : distinct) vocab.add(t);  // specials already present keep their ids
  return vocab;
}

}  // namespace musegen::tokenize
