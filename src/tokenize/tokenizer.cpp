// The tokenizer factory: a config {"name": ..., options...} -> the tokenizer it names, with
// every option validated by that tokenizer's constructor.
#include "tokenize/tokenizer.h"

#include "core/errors.h"
#include "tokenize/frames_tokenizer.h"
#include "tokenize/multitrack_tokenizer.h"
#include "tokenize/notes_tokenizer.h"
#include "tokenize/performance_tokenizer.h"
#include "tokenize/tutorial_tokenizer.h"

namespace musegen::tokenize {

namespace {

std::string names_list() {
  std::string list;
  for (const auto& n : tokenizer_names()) list += (list.empty() ? "" : ", ") + n;
  return list;
}

}  // namespace

std::vector<std::string> tokenizer_names() {
  return {"tutorial", "notes", "performance", "frames", "multitrack"};
}

std::unique_ptr<Tokenizer> make_tokenizer(const nlohmann::json& config) {
  if (!config.is_object())
    throw ConfigError("tokenizer", "expected a JSON object, got " + config.dump(),
                      "{\"name\": one of " + names_list() + ", options...}");
  auto it = config.find("name");
  if (it == config.end() || !it->is_string())
    throw ConfigError("tokenizer.name", "missing or not a string", names_list());
  const auto name = it->get<std::string>();
  nlohmann::json options = config;
  options.erase("name");
  if (name == "tutorial") return std::make_unique<TutorialTokenizer>(options);
  if (name == "notes") return std::make_unique<NotesTokenizer>(options);
  if (name == "performance") return std::make_unique<PerformanceTokenizer>(options);
  if (name == "frames") return std::make_unique<FramesTokenizer>(options);
  if (name == "multitrack") return std::make_unique<MultitrackTokenizer>(options);
  throw ConfigError("tokenizer.name", "unknown tokenizer \"" + name + "\"", names_list());
}

Tokens Tokenizer::encode_counted(const TokenizerInput& input, EncodeStats& stats) const {
  stats.notes += static_cast<std::int64_t>(input.score.notes.size());
  return encode(input);
}

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& name) {
  return make_tokenizer(nlohmann::json{{"name", name}});
}

std::unique_ptr<Tokenizer> make_tokenizer(const char* name) {
  return make_tokenizer(std::string(name));
}

}  // namespace musegen::tokenize
