// The interface every tokenizer shares: Score (plus, for tokenizers that need them, the raw
// MIDI events) -> token strings, and token strings -> Score. Tokenizers know nothing of
// tensors; the Vocabulary maps token strings to integer ids.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "music/events.h"
#include "music/score.h"

namespace musegen::tokenize {

using Tokens = std::vector<std::string>;

// What a tokenizer reads: the Score and, when read from a MIDI file, its raw events.
struct TokenizerInput {
  const Score& score;
  const EventFile* events = nullptr;  // null when the music was not read from MIDI
};

// What one or more encode_counted() calls read and what the tokens leave out.
struct EncodeStats {
  std::int64_t notes = 0;  // notes of the inputs
  // Notes or events the tokens do not represent, by reason ("drum notes (drums: false)") ->
  // count. Empty when nothing was left out.
  std::map<std::string, std::int64_t> dropped;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // "tutorial", "notes", "performance", "frames" or "multitrack".
  virtual std::string name() const = 0;
  // Everything needed to rebuild an identical tokenizer with make_tokenizer().
  virtual nlohmann::json config() const = 0;
  // Throws ParseError/ConfigError when the input cannot be tokenized (e.g. the tutorial
  // tokenizer without raw events).
  virtual Tokens encode(const TokenizerInput& input) const = 0;
  // encode(), adding to `stats` the input's notes and what the tokens leave out. The default
  // reports nothing left out (the tutorial tokenizer: its rules are music21's).
  virtual Tokens encode_counted(const TokenizerInput& input, EncodeStats& stats) const;
  // Unknown or out-of-place tokens are skipped, never an error.
  virtual Score decode(const Tokens& tokens) const = 0;
  // The complete token table for tokenizers with a fixed event table (notes, performance,
  // frames); empty when the vocabulary is built from the training data (tutorial).
  virtual Tokens fixed_vocabulary() const { return {}; }
  // True when tokens that continue a sequence mean nothing on their own: they refer to what the
  // sequence's start declared (multitrack: tracks, time signature, tempo), so a continuation is
  // decoded together with what precedes it.
  virtual bool continuation_needs_context() const { return false; }
  // The music of `continuation` as it follows `context`, starting at time 0. The default
  // decodes the continuation alone; multitrack decodes both and keeps the bars the context
  // did not reach.
  virtual Score decode_continuation(const Tokens& context, const Tokens& continuation) const {
    (void)context;
    return decode(continuation);
  }
};

// Builds a tokenizer from its config ({"name": ..., options...}). Throws ConfigError naming
// the key and the allowed values.
std::unique_ptr<Tokenizer> make_tokenizer(const nlohmann::json& config);
// Builds a tokenizer by name with default options.
std::unique_ptr<Tokenizer> make_tokenizer(const std::string& name);
// The same for a string literal (which would otherwise convert to both std::string and JSON).
std::unique_ptr<Tokenizer> make_tokenizer(const char* name);
std::vector<std::string> tokenizer_names();

}  // namespace musegen::tokenize
