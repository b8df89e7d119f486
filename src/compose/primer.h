// Where generation starts: the ids of a MIDI file's music, of a list of token strings, or of a
// random window of a corpus, all in the model's tokenizer and vocabulary.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "music/score.h"
#include "tokenize/tokenizer.h"
#include "tokenize/vocabulary.h"

namespace musegen::compose {

struct Primer {
  std::vector<std::int32_t> ids;
  std::optional<Score> music;  // the primer file's music (its last bars when asked), if any
  std::size_t n_unknown = 0;   // tokens outside the vocabulary, left out
  std::string source;          // what it is, for messages: "song.mid (412 tokens)"
};

// The music of a MIDI or MusicXML file (data::read_music_file) tokenized as the model's
// training data was, <start> first when
// `with_start` (models trained on whole pieces: "chunks"); with `last_bars` > 0 only its last
// bars (by its time signatures; the tempo and signatures in force there kept). Tokens the
// vocabulary lacks are left out and counted. Throws IoError / ParseError for the file,
// ConfigError ("primer-bars") when the tokenizer cannot take a part of a file, musegen::Error
// when it gives no token.
Primer primer_from_midi(const std::filesystem::path& path, const tokenize::Tokenizer& tokenizer,
                        const tokenize::Vocabulary& vocabulary, bool with_start, int last_bars = 0);

// Whitespace-separated token strings ("t:12 p:60 d:12"); "<start>" may be written; with
// `with_start` it is added when the text does not begin with it. Throws ConfigError (key
// "primer-tokens") naming an unknown token or for empty text.
Primer primer_from_tokens(const std::string& text, const tokenize::Vocabulary& vocabulary,
                          bool with_start);

// The tutorial's seed: every file of DIR tokenized with `tokenizer_config`, the ids
// concatenated (no special tokens; <unk> left out), and the window of `length` ids starting
// at a position drawn uniformly from 0 .. n_windows - 2 by `seed`, as the tutorial's
// np.random.randint(0, len(network_input) - 1). Throws what data::load_corpus throws, and
// ConfigError (key "primer-length") when the corpus is shorter than length + 1 ids.
Primer primer_from_corpus(const std::filesystem::path& dir, const nlohmann::json& tokenizer_config,
                          const tokenize::Vocabulary& vocabulary, int length, std::uint64_t seed,
                          int threads);

}  // namespace musegen::compose
