// Primers from MIDI files, token text and corpus windows.
#include "compose/primer.h"

#include <algorithm>
#include <sstream>

#include "core/errors.h"
#include "core/rng.h"
#include "data/corpus.h"
#include "data/music_file.h"
#include "music/bars.h"

namespace musegen::compose {

Primer primer_from_midi(const std::filesystem::path& path, const tokenize::Tokenizer& tokenizer,
                        const tokenize::Vocabulary& vocabulary, bool with_start, int last_bars) {
  const midi::ReadResult read = data::read_music_file(path);
  Primer primer;
  primer.music = read.score;
  if (last_bars > 0) {
    const int n_bars = static_cast<int>(bars_of(read.score).size());
    primer.music = from_bar(read.score, std::max(0, n_bars - last_bars));
  }
  tokenize::Tokens tokens;
  try {
    // A part of a file has no raw events of its own: tokenizers that need them refuse it.
    tokens = tokenizer.encode({*primer.music, last_bars > 0 ? nullptr : &read.events});
  } catch (const ConfigError& e) {
    if (last_bars > 0)
      throw ConfigError("primer-bars",
                        std::string("the ") + tokenizer.name() +
                            " tokenizer reads whole files only (" + e.what() + ")",
                        "leave out --primer-bars");
    throw Error(path.string() + ": " + e.what());
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
  if (with_start) primer.ids.push_back(tokenize::kStartId);
  for (const auto& token : tokens) {
    if (!vocabulary.contains(token)) {
      ++primer.n_unknown;
      continue;
    }
    primer.ids.push_back(vocabulary.id(token));
  }
  if (primer.ids.size() == (with_start ? 1u : 0u))
    throw Error(path.string() + ": gives no token of the model's vocabulary to start from");
  primer.source = path.string() + " (" + std::to_string(primer.ids.size()) + " tokens)";
  return primer;
}

Primer primer_from_tokens(const std::string& text, const tokenize::Vocabulary& vocabulary,
                          bool with_start) {
  std::istringstream in(text);
  Primer primer;
  std::string token;
  while (in >> token) {
    if (!vocabulary.contains(token))
      throw ConfigError("primer-tokens", "'" + token + "' is not in the model's vocabulary",
                        "tokens of the model's vocabulary (musegen tokenize shows them)");
    primer.ids.push_back(vocabulary.id(token));
  }
  if (primer.ids.empty())
    throw ConfigError("primer-tokens", "no token given", "one or more tokens");
  if (with_start && primer.ids.front() != tokenize::kStartId)
    primer.ids.insert(primer.ids.begin(), tokenize::kStartId);
  primer.source = "the given tokens (" + std::to_string(primer.ids.size()) + ")";
  return primer;
}

Primer primer_from_corpus(const std::filesystem::path& dir, const nlohmann::json& tokenizer_config,
                          const tokenize::Vocabulary& vocabulary, int length, std::uint64_t seed,
                          int threads) {
  if (length < 1) throw ConfigError("primer-length", "must be positive", "1..");
  data::CorpusOptions options;
  options.tokenizer = tokenizer_config;
  options.valid_fraction = 0;
  options.vocabulary = vocabulary;
  options.threads = threads;
  const data::Corpus corpus = data::load_corpus(dir, options);
  std::vector<std::int32_t> stream;
  for (const auto& file : corpus.train)
    for (std::int32_t id : file.ids)
      if (!vocabulary.is_special(id)) stream.push_back(id);
  const std::int64_t n_windows = static_cast<std::int64_t>(stream.size()) - length;
  if (n_windows < 2)
    throw ConfigError("primer-length",
                      dir.string() + " holds " + std::to_string(stream.size()) +
                          " known tokens, too few for a window of " + std::to_string(length),
                      "at most " + std::to_string(std::max<std::int64_t>(0, stream.size() - 2)));
  Rng rng(seed);
  const std::int64_t start = rng.uniform_int(0, n_windows - 2);
  Primer primer;
  primer.ids.assign(stream.begin() + start, stream.begin() + start + length);
  primer.n_unknown = corpus.stats.unknown_tokens;
  primer.source = "tokens " + std::to_string(start) + ".." + std::to_string(start + length - 1) +
                  " of " + dir.string() + " (" + std::to_string(stream.size()) + " tokens)";
  return primer;
}

}  // namespace musegen::compose
